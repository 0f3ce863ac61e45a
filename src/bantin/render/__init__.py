"""Render: a variant to a print-ready, tagged PDF (PDF/UA-1) with WeasyPrint, and its page-1 preview.

    profiles   the profile registry (a4, a5, large-print): stylesheet + WeasyPrint options
    jobs       RenderJob / RenderResult, plain picklable data
    fetcher    SafeFetcher: bantin's assets, the bulletin's asset folder, small data: URLs
    html       the variant as HTML (Jinja, autoescaped), page CSS, QR code
    cache      content key, key sidecar beside each PDF, job_key
    pdf        render_job / render_pdf in this process: layout (A4 fitted to one page), checks, PDF
    pdfua      pikepdf post-processing: margin boxes as /Artifact, deterministic save
    textlayer  hooks in WeasyPrint's PDF writer: /Lang per structure element, /ActualText for complex scripts
    preview    the page-1 PNG
    isolation  render_isolated / render_many: child processes bounded in time and memory

Importing this package, ``profiles`` or ``jobs`` loads no renderer (config
validation imports the registry); ``cache`` and ``isolation`` load Jinja but not
WeasyPrint or pikepdf, which load only in ``pdf``, ``pdfua``, ``textlayer`` and ``fetcher``.
"""
