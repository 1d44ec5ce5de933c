"""The authority's brand from site.toml: a colour checked for contrast, a logo, and the stylesheet applying them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .config import SiteConfig
from .errors import Report

WCAG_AA_TEXT = 4.5
WHITE = "#ffffff"
HEAVY_LOGO = 50_000  # bytes: every page loads the logo


@dataclass
class BrandAssets:
    """What the templates need (as `brand`), and the files to add to the site's assets/."""

    colour: str = ""
    css: str = ""  # the stylesheet's path in the site, such as "assets/brand.css", or "" for none
    logo: str = ""  # the logo's path in the site, or "" for none
    logo_alt: str = ""
    files: dict[str, bytes] = field(default_factory=dict)


def relative_luminance(hex_colour: str) -> float:
    """WCAG 2.2's relative luminance of an sRGB colour given as #rrggbb."""
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2.2's contrast ratio of two #rrggbb colours, from 1 to 21."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def darker_shade(hex_colour: str, against: str = WHITE, ratio: float = WCAG_AA_TEXT) -> str:
    """The lightest shade of the colour (same hue, scaled towards black) that has `ratio` against `against`."""
    red, green, blue = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    for step in range(100, -1, -1):
        shade = "#" + "".join(f"{round(c * step / 100):02x}" for c in (red, green, blue))
        if contrast_ratio(shade, against) >= ratio:
            return shade
    return "#000000"


def brand_css(colour: str) -> str:
    return (f"/* The authority's colour, from [brand] in site_src/site.toml (written by foilog). */\n"
            f":root {{ --brand-colour: {colour}; }}\n")


def prepare_brand(config: SiteConfig, site_src: Path, report: Report) -> BrandAssets:
    """Check the brand's colour and logo, reporting problems with a fix; a missing logo is left out."""
    brand = config.brand
    assets = BrandAssets(colour=brand.colour)
    toml = config.path or site_src / "site.toml"
    if brand.colour:
        _check_contrast(brand.colour, toml, report)
        assets.css = "assets/brand.css"
        assets.files[assets.css] = brand_css(brand.colour).encode()
    if brand.logo:
        logo = site_src / brand.logo
        try:
            data = logo.read_bytes()
        except OSError as exc:
            report.warn(f"the logo `brand.logo = \"{brand.logo}\"` cannot be read ({exc.strerror or exc}); "
                        "the site was built without it", file=toml,
                        hint=f"put the logo at {logo}, or correct `logo` under [brand]")
        else:
            assets.logo = "assets/logo" + logo.suffix.lower()
            assets.files[assets.logo] = data
            assets.logo_alt = brand.logo_alt if brand.logo_alt is not None else (config.authority or config.title)
            if len(data) > HEAVY_LOGO:
                report.warn(f"the logo {brand.logo} is {len(data) // 1000} kB, and every page loads it", file=toml,
                            hint="save it as an SVG, or as a PNG about 80 pixels high, to make it under 50 kB")
    return assets


def _check_contrast(colour: str, toml: Path, report: Report) -> None:
    ratio = contrast_ratio(colour, WHITE)
    if ratio < WCAG_AA_TEXT:
        report.warn(f"white text on the brand colour {colour} has a contrast of {ratio:.1f}:1, but WCAG 2.2 AA "
                    f"needs {WCAG_AA_TEXT}:1, so some people cannot read the header", file=toml,
                    hint=f"use a darker shade, such as `colour = \"{darker_shade(colour)}\"` under [brand]")
