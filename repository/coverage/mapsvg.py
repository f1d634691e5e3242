"""A world map as SVG from the world-atlas TopoJSON file: decoded and projected on the server,
so the page needs no JavaScript and the picture prints."""

import json
from functools import cache
from pathlib import Path

from repository import geography

ATLAS = Path(__file__).parent.parent / "static" / "world-atlas" / "countries-110m.json"
WIDTH, HEIGHT = 960, 460
TOP_LATITUDE, BOTTOM_LATITUDE = 84.0, -58.0  # Antarctica left out


def _arcs(topology: dict) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        decoded.append(points)
    return decoded


def _project(lon: float, lat: float) -> tuple[float, float]:
    """Equirectangular, cropped to inhabited latitudes."""
    x = (lon + 180) / 360 * WIDTH
    y = (TOP_LATITUDE - lat) / (TOP_LATITUDE - BOTTOM_LATITUDE) * HEIGHT
    return round(x, 1), round(y, 1)


def _ring(arcs, indexes: list[int]) -> list[tuple[float, float]]:
    points = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc if not points else arc[1:])
    return points


def _unwrap(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Longitudes made continuous: a ring that crosses the antimeridian (Russia's Chukotka,
    Fiji) runs on past 180 instead of jumping across the whole map."""
    out = [points[0]]
    for lon, lat in points[1:]:
        previous = out[-1][0]
        while lon - previous > 180:
            lon -= 360
        while previous - lon > 180:
            lon += 360
        out.append((lon, lat))
    return out


def _clip(points, keep, cross) -> list[tuple[float, float]]:
    """Sutherland-Hodgman against one edge: `keep` says which side stays, `cross` finds where
    a segment meets the edge."""
    out = []
    for index, current in enumerate(points):
        previous = points[index - 1]
        if keep(current):
            if not keep(previous):
                out.append(cross(previous, current))
            out.append(current)
        elif keep(previous):
            out.append(cross(previous, current))
    return out


def _at_longitude(edge: float):
    def cross(a, b):
        t = (edge - a[0]) / (b[0] - a[0])
        return edge, a[1] + t * (b[1] - a[1])

    return cross


def split_at_antimeridian(points: list[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    """A ring as one or more rings within -180..180: the part past the edge is drawn again
    from the other side of the map, so no shape spans the world."""
    ring = _unwrap(points)
    low, high = min(lon for lon, _ in ring), max(lon for lon, _ in ring)
    if low >= -180 and high <= 180:
        return [points]
    pieces = []
    for shift in (0, -360, 360):
        moved = [(lon + shift, lat) for lon, lat in ring]
        moved = _clip(moved, lambda p: p[0] >= -180, _at_longitude(-180))
        moved = _clip(moved, lambda p: p[0] <= 180, _at_longitude(180)) if moved else []
        if len(moved) > 2:
            pieces.append(moved)
    return pieces


@cache
def country_paths() -> dict[str, str]:
    """ISO alpha-3 code -> SVG path data."""
    topology = json.loads(ATLAS.read_text())
    arcs = _arcs(topology)
    paths = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        country = geography.by_numeric().get(geometry.get("id") or "")
        if country is None:
            continue
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        parts = []
        for polygon in polygons:
            for ring in polygon:
                for piece in split_at_antimeridian(_ring(arcs, ring)):
                    points = [_project(lon, lat) for lon, lat in piece]
                    if len(points) > 2:
                        parts.append("M" + "L".join(f"{x},{y}" for x, y in points) + "Z")
        paths[country.code] = "".join(parts)
    return paths


SHADES = ("#f1f1f1", "#c6dbef", "#6baed6", "#2171b5", "#08306b")


def shade(count: int, top: int) -> int:
    """0 for no practice; 1-4 for quartiles of the busiest country's count."""
    if count <= 0:
        return 0
    return min(4, 1 + (count * 4 - 1) // max(top, 1))
