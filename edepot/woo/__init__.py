"""Publication under the Wet open overheid (Woo): DiWoo metadata, sitemaps and true redaction.

Pure, self-contained modules: `lijsten` (TOOI value lists read from the vendored DiWoo XSD),
`schema` (the DiWoo 0.9.8 XSD, loaded without network), `model` (publicaties and their rules),
`diwoo` (DiWoo XML per document), `sitemaps` (robots.txt, sitemap index files, incremental
regeneration), `suggest` (redaction suggestions in text) and `redact` (removing text from PDFs).
"""
