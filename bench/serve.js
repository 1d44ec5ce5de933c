// A static file server for the search benchmark: gzip (level 6) for text, as a static host would serve it, and a
// log of every response's bytes on the wire, so the benchmark can count what a query transferred (including
// requests made from Web Workers, which the page's own resource timing does not see).
//
//   node bench/serve.js SITE_FOLDER     prints the port; GET /__log?since=EPOCH_MS lists the responses since then
'use strict'
const http = require('http')
const fs = require('fs')
const path = require('path')
const zlib = require('zlib')

const root = path.resolve(process.argv[2])
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.json': 'application/json', '.css': 'text/css',
  '.svg': 'image/svg+xml', '.wasm': 'application/wasm'
}
const TEXT = new Set(['.html', '.js', '.json', '.css', '.svg'])
const compressed = new Map()
const log = []

const server = http.createServer((request, response) => {
  const url = new URL(request.url, 'http://localhost')
  if (url.pathname === '/__log') {
    const since = Number(url.searchParams.get('since') || 0)
    response.writeHead(200, { 'Content-Type': 'application/json' })
    response.end(JSON.stringify(log.filter(entry => entry.end >= since)))
    return
  }
  let file = path.join(root, decodeURIComponent(url.pathname))
  if (!file.startsWith(root)) return notFound(response)
  fs.stat(file, (error, stat) => {
    if (!error && stat.isDirectory()) file = path.join(file, 'index.html')
    fs.readFile(file, (readError, body) => {
      if (readError) return notFound(response)
      const ext = path.extname(file)
      const headers = { 'Content-Type': TYPES[ext] || 'application/octet-stream', 'Cache-Control': 'max-age=3600' }
      if (TEXT.has(ext) && /gzip/.test(request.headers['accept-encoding'] || '')) {
        if (!compressed.has(file)) compressed.set(file, zlib.gzipSync(body, { level: 6 }))
        body = compressed.get(file)
        headers['Content-Encoding'] = 'gzip'
      }
      headers['Content-Length'] = body.length
      const start = Date.now()
      response.writeHead(200, headers)
      response.end(body, () => log.push({ path: url.pathname, bytes: body.length, start: start, end: Date.now() }))
    })
  })
})

function notFound (response) {
  response.writeHead(404, { 'Content-Type': 'text/plain' })
  response.end('not found')
}

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(server.address().port + '\n')
})
