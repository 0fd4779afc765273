"""The fixture documents of the document tests, written here (reportlab, openpyxl, xlwt) as an
institution would publish them, and the loopback site that lists them.

- ``indicateurs-septembre-2025.pdf``: monthly indicators of the foreign-exchange office; page 1
  running text, page 2 the services table in millions of DH (Voyages, Transport, Offshoring,
  Total; Janv.-Sept. 2024 and 2025, variation in %);
- ``rapport-annuel-2023.pdf``: a ministry's report, running text with figures and a table with a
  two-level header (years over Effectifs / CA export);
- ``barometre-2025.xlsx``: a federation's barometer, several sheets, French number formats as
  text, a formula without a cached value;
- ``entreprises-zones.xls``: an old-format workbook;
- ``emplois-zones.csv``: semicolon-separated, cp1252, French numbers;
- ``protege.pdf``: encrypted (a password to open it); ``corrompu.pdf``: broken.

``EXPECTED`` lists every figure the tables must give, with its provenance.
"""

from __future__ import annotations

import http.server
import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

# -- PDFs ------------------------------------------------------------------------------------


def _pdf(story: list, *, title: str, encrypt: str | None = None) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate

    buf = io.BytesIO()
    kwargs = {}
    if encrypt:
        from reportlab.lib.pdfencrypt import StandardEncryption

        kwargs["encrypt"] = StandardEncryption(encrypt, canPrint=0)
    SimpleDocTemplate(buf, pagesize=A4, title=title, author="Veille tests", **kwargs).build(story)
    return buf.getvalue()


def _grid(rows: list[list[str]], spans: list[tuple] = ()) -> object:
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    table = Table(rows)
    style = [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("FONTSIZE", (0, 0), (-1, -1), 9)]
    style += [("SPAN", a, b) for a, b in spans]
    table.setStyle(TableStyle(style))
    return table


def indicators_pdf() -> bytes:
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import PageBreak, Paragraph, Spacer

    s = getSampleStyleSheet()
    story = [
        Paragraph("Office des changes", s["Title"]),
        Paragraph("Indicateurs mensuels des échanges extérieurs — septembre 2025", s["Heading2"]),
        Paragraph("Rabat, le 28 octobre 2025", s["Normal"]),
        Spacer(1, 12),
        Paragraph(
            "Ce bulletin présente les premiers résultats des échanges extérieurs du Maroc à fin "
            "septembre. Les données sont provisoires et seront révisées lors de la publication "
            "annuelle de la balance des paiements. Les services exportés par les centres d'appels "
            "et les entreprises d'externalisation restent une source majeure de devises.",
            s["Normal"],
        ),
        PageBreak(),
        Paragraph("Tableau 3 : Exportations de services (en millions de DH)", s["Heading3"]),
        _grid(
            [
                ["Rubriques", "Janv.-Sept. 2024", "Janv.-Sept. 2025", "Variation en %"],
                ["Voyages", "86 345,2", "91 882,6", "6,4"],
                ["Transport", "25 110,7", "26 004,9", "3,6"],
                ["Offshoring", "16 890,2", "18 234,5", "8,0"],
                ["Total", "128 346,1", "136 122,0", "6,1"],
            ]
        ),
        Spacer(1, 8),
        Paragraph("Source : Office des changes.", s["Normal"]),
    ]
    return _pdf(story, title="Indicateurs mensuels des échanges extérieurs - septembre 2025")


def report_pdf() -> bytes:
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, Spacer

    s = getSampleStyleSheet()
    story = [
        Paragraph("Rapport annuel 2023 du secteur de l'offshoring", s["Title"]),
        Paragraph(
            "Le secteur de l'offshoring a poursuivi sa croissance. En 2023, le ministère a accompagné "
            "l'installation de 45 nouvelles entreprises dans les zones labellisées, et le programme de "
            "formation a bénéficié à 12 000 jeunes diplômés.",
            s["Normal"],
        ),
        Spacer(1, 12),
        Paragraph("Tableau 1 : Effectifs et chiffre d'affaires à l'export par segment", s["Heading3"]),
        _grid(
            [
                ["Segment", "2022", "", "2023", ""],
                ["", "Effectifs", "CA export (MDH)", "Effectifs", "CA export (MDH)"],
                ["Centres d'appels", "72 000", "9 800", "76 500", "10 450"],
                ["Services IT", "38 000", "6 100", "41 200", "6 900"],
                ["Total offshoring", "131 000", "17 300", "139 800", "18 700"],
            ],
            spans=[((1, 0), (2, 0)), ((3, 0), (4, 0)), ((0, 0), (0, 1))],
        ),
    ]
    return _pdf(story, title="Rapport annuel 2023")


def borderless_pdf() -> bytes:
    """A note whose table has no ruling line (columns aligned by spaces, as many reports print
    them) between paragraphs of running text; a second page of running text only, with numbers,
    a schedule and an aligned list without a header row: no table there."""
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import PageBreak, Paragraph, Spacer, Table, TableStyle

    s = getSampleStyleSheet()
    table = Table(
        [
            ["Segment", "2023", "2024", "Var. %"],
            ["Centres d'appels", "9 800,0", "10 450,5", "6,6"],
            ["Services IT", "6 100,2", "6 900,0", "13,1"],
            ["Total offshoring", "17 300,4", "18 700,1", "8,1"],
        ]
    )
    table.setStyle(TableStyle([("FONTSIZE", (0, 0), (-1, -1), 9), ("ALIGN", (1, 0), (-1, -1), "RIGHT")]))
    aligned = Table([["Casablanca", "61 200"], ["Rabat", "24 800"], ["Fès", "9 800"]])  # no header
    aligned.setStyle(TableStyle([("FONTSIZE", (0, 0), (-1, -1), 9), ("ALIGN", (1, 0), (-1, -1), "RIGHT")]))
    story = [
        Paragraph("Note de conjoncture du secteur de l'offshoring", s["Title"]),
        Paragraph(
            "Le secteur a poursuivi sa croissance en 2024, porté par la relation client et les services "
            "informatiques. Les exportations progressent dans tous les segments, à un rythme plus soutenu "
            "pour les services informatiques que pour les centres d'appels.",
            s["Normal"],
        ),
        Spacer(1, 12),
        Paragraph("Tableau 2 : Chiffre d'affaires à l'export par segment (en millions de DH)", s["Heading4"]),
        table,
        Paragraph("Source : ministère.", s["Normal"]),
        Spacer(1, 12),
        Paragraph(
            "Les entreprises installées dans les zones labellisées emploient 139 800 personnes, dont 76 500 "
            "dans les centres d'appels, selon le ministère.",
            s["Normal"],
        ),
        PageBreak(),
        Paragraph("Perspectives", s["Heading2"]),
        Paragraph(
            "En 2025, 12 opérateurs prévoient 3 500 recrutements, contre 2 900 en 2024. Le ministère table "
            "sur 20 000 emplois à l'horizon 2026, dont 8 000 hors de l'axe Casablanca-Rabat. " * 3,
            s["Normal"],
        ),
        Paragraph("Calendrier : janvier 2025 lancement, mars 2025 bilan, juin 2025 clôture.", s["Normal"]),
        Paragraph("Les effectifs des trois premières villes :", s["Normal"]),
        aligned,
    ]
    return _pdf(story, title="Note de conjoncture")


def encrypted_pdf() -> bytes:
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph

    story = [Paragraph("Document confidentiel : 1 000 emplois.", getSampleStyleSheet()["Normal"])]
    return _pdf(story, title="Confidentiel", encrypt="secret")


def broken_pdf() -> bytes:
    good = report_pdf()
    return good[:400] + b"\x00garbage\xff" * 50  # the header survives, the body and xref do not


# -- spreadsheets ----------------------------------------------------------------------------


def barometer_xlsx() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Synthèse"
    ws["A1"] = "Baromètre annuel des services offshoring 2025"
    ws.append([])
    ws.append(["Indicateur", 2024, 2025])
    ws.append(["Effectif total", "125 500", "131 200"])  # text with French separators
    ws.append(["Nombre d'entreprises", 1210, 1265])
    ws.append(["Taux de croissance du chiffre d'affaires (%)", "6,5 %", "8,2 %"])
    ws.append(["Contrôle (formule)", "=B4*2", "=C4*2"])  # no cached value: never evaluated
    ws.append([])
    ws.append(["Source : fédération, enquête annuelle."])
    regions = wb.create_sheet("Régions")
    regions.append(["Effectifs par région (en nombre de salariés)"])
    regions.append([])
    regions.append(["Région", "Effectif 2024", "Effectif 2025"])
    regions.append(["Casablanca-Settat", 61200.0, 63900.0])
    regions.append(["Rabat-Salé-Kénitra", 24800.0, 26100.0])
    regions.append(["Fès-Meknès", 9800.0, 10400.0])
    for row in regions.iter_rows(min_row=4, min_col=2):
        for cell in row:
            cell.number_format = "# ##0"
    notes = wb.create_sheet("Notes")
    notes["A1"] = "Méthodologie : enquête auprès de 320 entreprises adhérentes."
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def zones_xls() -> bytes:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("Zones")
    ws.write(0, 0, "Nombre d'entreprises installées dans les zones (en nombre)")
    for j, value in enumerate(["Zone", "2023", "2024"]):
        ws.write(2, j, value)
    for i, (zone, a, b) in enumerate([("Casanearshore", 180, 192), ("Technopolis Rabat", 95, 101)], start=3):
        ws.write(i, 0, zone)
        ws.write(i, 1, a)
        ws.write(i, 2, b)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def jobs_csv() -> bytes:
    lines = [
        "Emplois créés par zone (en nombre d'emplois);;",
        ";;",
        "Zone;2024;2025",
        "Casanearshore;2\u00a0150;2\u00a0480",
        "Technopolis Rabat;1\u00a0020;1\u00a0310",
        "Fès Shore;640;720",
    ]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def cumulative_xlsx() -> bytes:
    """A monthly bulletin's workbook: the year 2024, then the year to date as offices write it
    ("9 mois", "Fin septembre", "Janv.-Sept."), then the month alone."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Services"
    ws["A1"] = "Recettes des exportations de services (en millions de DH)"
    ws.append([])
    ws.append(
        ["Rubriques", "Année 2024", "9 mois 2024", "Fin septembre 2025", "Janv.-Sept. 2025", "Septembre 2025"]
    )
    ws.append(["Offshoring", "22 950,4", "16 890,2", "18 234,5", "18 234,5", "2 104,7"])
    ws.append(["Voyages", "112 000,0", "86 345,2", "91 882,6", "91 882,6", "12 010,3"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def zip_bomb_xlsx(size: int = 300_000_000) -> bytes:
    """An xlsx-looking zip whose one part unpacks to ``size`` bytes of zeros."""
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            chunk = b"\x00" * 1_000_000
            for _ in range(size // len(chunk)):
                part.write(chunk)
    return buf.getvalue()


FILES = {
    "indicateurs-septembre-2025.pdf": indicators_pdf,
    "rapport-annuel-2023.pdf": report_pdf,
    "barometre-2025.xlsx": barometer_xlsx,
    "entreprises-zones.xls": zones_xls,
    "emplois-zones.csv": jobs_csv,
    "protege.pdf": encrypted_pdf,
    "corrompu.pdf": broken_pdf,
}


def write_files(folder: Path) -> dict[str, bytes]:
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, build in FILES.items():
        out[name] = build()
        (folder / name).write_bytes(out[name])
    return out


# -- what the tables must give ---------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    file: str
    value: float
    unit: str
    indicator: str
    period: str
    scope_kind: str
    scope: str
    page: int | None  # PDF page
    sheet: str | None
    cell: str


M = 1e6
EXPECTED = [
    # the services table, page 2: the Offshoring row only (Voyages, Transport and the total are not the
    # sector); "Janv.-Sept." columns are nine months of their year, never the year
    Expected(
        "indicateurs-septembre-2025.pdf",
        16_890.2 * M,
        "MAD",
        "exportations",
        "2024-01..09",
        "country",
        "Maroc",
        2,
        None,
        "B4",
    ),
    Expected(
        "indicateurs-septembre-2025.pdf",
        18_234.5 * M,
        "MAD",
        "exportations",
        "2025-01..09",
        "country",
        "Maroc",
        2,
        None,
        "C4",
    ),
    Expected(
        "indicateurs-septembre-2025.pdf",
        8.0,
        "percent",
        "croissance",
        "2025-01..09",
        "country",
        "Maroc",
        2,
        None,
        "D4",
    ),
    # the two-level header
    Expected(
        "rapport-annuel-2023.pdf",
        72_000,
        "jobs",
        "effectif",
        "2022",
        "sector",
        "relation client",
        1,
        None,
        "B3",
    ),
    Expected(
        "rapport-annuel-2023.pdf",
        9_800 * M,
        "MAD",
        "exportations",
        "2022",
        "sector",
        "relation client",
        1,
        None,
        "C3",
    ),
    Expected(
        "rapport-annuel-2023.pdf",
        76_500,
        "jobs",
        "effectif",
        "2023",
        "sector",
        "relation client",
        1,
        None,
        "D3",
    ),
    Expected(
        "rapport-annuel-2023.pdf",
        10_450 * M,
        "MAD",
        "exportations",
        "2023",
        "sector",
        "relation client",
        1,
        None,
        "E3",
    ),
    Expected(
        "rapport-annuel-2023.pdf", 38_000, "jobs", "effectif", "2022", "sector", "services IT", 1, None, "B4"
    ),
    Expected(
        "rapport-annuel-2023.pdf",
        6_100 * M,
        "MAD",
        "exportations",
        "2022",
        "sector",
        "services IT",
        1,
        None,
        "C4",
    ),
    Expected(
        "rapport-annuel-2023.pdf", 41_200, "jobs", "effectif", "2023", "sector", "services IT", 1, None, "D4"
    ),
    Expected(
        "rapport-annuel-2023.pdf",
        6_900 * M,
        "MAD",
        "exportations",
        "2023",
        "sector",
        "services IT",
        1,
        None,
        "E4",
    ),
    Expected(
        "rapport-annuel-2023.pdf", 131_000, "jobs", "effectif", "2022", "country", "Maroc", 1, None, "B5"
    ),
    Expected(
        "rapport-annuel-2023.pdf",
        17_300 * M,
        "MAD",
        "exportations",
        "2022",
        "country",
        "Maroc",
        1,
        None,
        "C5",
    ),
    Expected(
        "rapport-annuel-2023.pdf", 139_800, "jobs", "effectif", "2023", "country", "Maroc", 1, None, "D5"
    ),
    Expected(
        "rapport-annuel-2023.pdf",
        18_700 * M,
        "MAD",
        "exportations",
        "2023",
        "country",
        "Maroc",
        1,
        None,
        "E5",
    ),
    # the barometer: measures in rows, years in columns (ints), French text numbers
    Expected(
        "barometre-2025.xlsx", 125_500, "jobs", "effectif", "2024", "country", "Maroc", None, "Synthèse", "B4"
    ),
    Expected(
        "barometre-2025.xlsx", 131_200, "jobs", "effectif", "2025", "country", "Maroc", None, "Synthèse", "C4"
    ),
    Expected(
        "barometre-2025.xlsx",
        1_210,
        "count",
        "entreprises",
        "2024",
        "country",
        "Maroc",
        None,
        "Synthèse",
        "B5",
    ),
    Expected(
        "barometre-2025.xlsx",
        1_265,
        "count",
        "entreprises",
        "2025",
        "country",
        "Maroc",
        None,
        "Synthèse",
        "C5",
    ),
    Expected(
        "barometre-2025.xlsx",
        6.5,
        "percent",
        "croissance",
        "2024",
        "country",
        "Maroc",
        None,
        "Synthèse",
        "B6",
    ),
    Expected(
        "barometre-2025.xlsx",
        8.2,
        "percent",
        "croissance",
        "2025",
        "country",
        "Maroc",
        None,
        "Synthèse",
        "C6",
    ),
    # regions: the period inside the column's label
    Expected(
        "barometre-2025.xlsx",
        61_200,
        "jobs",
        "effectif",
        "2024",
        "region",
        "Casablanca-Settat",
        None,
        "Régions",
        "B4",
    ),
    Expected(
        "barometre-2025.xlsx",
        63_900,
        "jobs",
        "effectif",
        "2025",
        "region",
        "Casablanca-Settat",
        None,
        "Régions",
        "C4",
    ),
    Expected(
        "barometre-2025.xlsx",
        24_800,
        "jobs",
        "effectif",
        "2024",
        "region",
        "Rabat-Salé-Kénitra",
        None,
        "Régions",
        "B5",
    ),
    Expected(
        "barometre-2025.xlsx",
        26_100,
        "jobs",
        "effectif",
        "2025",
        "region",
        "Rabat-Salé-Kénitra",
        None,
        "Régions",
        "C5",
    ),
    Expected(
        "barometre-2025.xlsx",
        9_800,
        "jobs",
        "effectif",
        "2024",
        "region",
        "Fès-Meknès",
        None,
        "Régions",
        "B6",
    ),
    Expected(
        "barometre-2025.xlsx",
        10_400,
        "jobs",
        "effectif",
        "2025",
        "region",
        "Fès-Meknès",
        None,
        "Régions",
        "C6",
    ),
    # the old workbook
    Expected(
        "entreprises-zones.xls",
        180,
        "count",
        "entreprises",
        "2023",
        "zone",
        "Casanearshore",
        None,
        "Zones",
        "B4",
    ),
    Expected(
        "entreprises-zones.xls",
        192,
        "count",
        "entreprises",
        "2024",
        "zone",
        "Casanearshore",
        None,
        "Zones",
        "C4",
    ),
    Expected(
        "entreprises-zones.xls",
        95,
        "count",
        "entreprises",
        "2023",
        "zone",
        "Technopolis Rabat",
        None,
        "Zones",
        "B5",
    ),
    Expected(
        "entreprises-zones.xls",
        101,
        "count",
        "entreprises",
        "2024",
        "zone",
        "Technopolis Rabat",
        None,
        "Zones",
        "C5",
    ),
    # the CSV file
    Expected(
        "emplois-zones.csv", 2_150, "jobs", "emplois_crees", "2024", "zone", "Casanearshore", None, None, "B4"
    ),
    Expected(
        "emplois-zones.csv", 2_480, "jobs", "emplois_crees", "2025", "zone", "Casanearshore", None, None, "C4"
    ),
    Expected(
        "emplois-zones.csv",
        1_020,
        "jobs",
        "emplois_crees",
        "2024",
        "zone",
        "Technopolis Rabat",
        None,
        None,
        "B5",
    ),
    Expected(
        "emplois-zones.csv",
        1_310,
        "jobs",
        "emplois_crees",
        "2025",
        "zone",
        "Technopolis Rabat",
        None,
        None,
        "C5",
    ),
    Expected(
        "emplois-zones.csv", 640, "jobs", "emplois_crees", "2024", "zone", "Fès Shore", None, None, "B6"
    ),
    Expected(
        "emplois-zones.csv", 720, "jobs", "emplois_crees", "2025", "zone", "Fès Shore", None, None, "C6"
    ),
]


# -- the listing site ------------------------------------------------------------------------

LISTING = """<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Publications</title></head>
<body><h1>Publications</h1>
<ul class="publications">
<li><a href="/docs/indicateurs-septembre-2025.pdf">Indicateurs mensuels des échanges extérieurs — septembre 2025</a> <span>28/10/2025</span></li>
<li><a href="/docs/rapport-annuel-2023.pdf">Rapport annuel 2023 du secteur</a> <span>15 mars 2024</span></li>
<li><a href="/docs/barometre-2025.xlsx">Télécharger (XLSX)</a></li>
<li><a href="/docs/entreprises-zones.xls">Entreprises installées dans les zones</a></li>
<li><a href="/docs/emplois-zones.csv">Emplois créés par zone (CSV)</a> <span>2 juin 2025</span></li>
<li><a href="/docs/protege.pdf">Document protégé</a></li>
<li><a href="/docs/corrompu.pdf">Document endommagé</a></li>
<li><a href="/docs/a-propos.html">À propos de nos publications</a></li>
<li><a href="/docs/note.docx">Note (Word)</a></li>
</ul>
<p><a href="/docs/publications?page=2" rel="next">Page suivante</a></p>
</body></html>"""

LISTING_2 = """<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Publications (2)</title></head>
<body><ul class="publications">
<li><a href="/docs/copie/indicateurs.pdf">Indicateurs (copie du même fichier)</a></li>
</ul></body></html>"""

PRESS = """<!doctype html><html lang="fr"><head><meta charset="utf-8">
<title>Offshoring : les recettes en hausse à fin septembre</title>
<meta property="article:published_time" content="2025-10-31T09:00:00+01:00"></head>
<body><article><h1>Offshoring : les recettes en hausse à fin septembre</h1>
<p>Les recettes de l'offshoring se sont établies à 18,2 milliards de DH à fin septembre 2025.
Le secteur confirme ainsi sa place parmi les premiers pourvoyeurs de devises du Royaume, porté par
la demande européenne en relation client et en services informatiques externalisés.</p>
<p>Les opérateurs installés à Casanearshore et à Technopolis annoncent de nouveaux recrutements pour
accompagner cette dynamique, tandis que les écoles du numérique multiplient les formations.</p>
</article></body></html>"""


class _Handler(http.server.BaseHTTPRequestHandler):
    files: dict[str, bytes] = {}
    hits: list[str] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        self.hits.append(self.path)
        path = self.path.split("?")[0]
        types = {".pdf": "application/pdf", ".xlsx": "application/octet-stream", ".xls": "application/vnd.ms-excel",
                 ".csv": "text/csv; charset=windows-1252"}  # fmt: skip
        if path == "/robots.txt":
            return self._send(b"User-agent: *\nAllow: /\n", "text/plain")
        if path == "/docs/publications":
            page = LISTING_2 if "page=2" in self.path else LISTING
            return self._send(page.encode(), "text/html; charset=utf-8")
        if path == "/presse/offshoring-recettes.html":
            return self._send(PRESS.encode(), "text/html; charset=utf-8")
        if path == "/presse/feed.xml":
            return self._send(_press_feed(self.server_port()).encode(), "application/rss+xml")  # type: ignore[attr-defined]
        name = path.rsplit("/", 1)[-1]
        if path == "/docs/copie/indicateurs.pdf":
            name = "indicateurs-septembre-2025.pdf"
        if name in self.files:
            ext = "." + name.rsplit(".", 1)[-1]
            return self._send(self.files[name], types[ext])
        self.send_response(404)
        self.end_headers()

    def server_port(self) -> int:
        return int(self.server.server_address[1])

    def _send(self, body: bytes, ctype: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _press_feed(port: int) -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Presse</title>
<link>http://127.0.0.1:{port}/presse/</link>
<item><title>Offshoring : les recettes en hausse à fin septembre</title>
<link>http://127.0.0.1:{port}/presse/offshoring-recettes.html</link>
<pubDate>Fri, 31 Oct 2025 08:00:00 GMT</pubDate></item></channel></rss>"""


@contextmanager
def documents_site(files: dict[str, bytes]) -> Iterator[tuple[str, list[str]]]:
    """The listing, the files and a press article over real HTTP on 127.0.0.1: (base URL, hits)."""
    handler = type("Handler", (_Handler,), {"files": files, "hits": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler.hits
    finally:
        server.shutdown()
        server.server_close()


# -- readers that misbehave, for the isolation tests (module-level: the reading process imports them)


def sleeping_reader(*args: object) -> None:
    import time

    time.sleep(60)


def greedy_reader(*args: object) -> None:
    blocks = [bytearray(50_000_000) for _ in range(100)]  # 5 GB, far past the cap
    del blocks


def dying_reader(*args: object) -> None:
    import os

    os._exit(3)


def long_pdf(pages: int) -> bytes:
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import PageBreak, Paragraph

    story: list = []
    for n in range(1, pages + 1):
        story += [Paragraph(f"Page {n} : le secteur de l'offshoring emploie 1 000 personnes.", getSampleStyleSheet()["Normal"]),
                  PageBreak()]  # fmt: skip
    return _pdf(story[:-1], title=f"{pages} pages")
