//! What every report page shares: the style sheet (screen and print, on A4
//! unless Letter is asked for), HTML escaping and inline SVG.

/// The style sheet. Tables never scroll or clip: long cells wrap between
/// words (never inside one; names may also break after an underscore, and
/// a number keeps its unit), and wide tables are split before they are
/// written (at most four runs a table), so a printed page or PDF shows
/// every column.
pub const CSS: &str = "
body{margin:0;background:#fff;color:#222;font:16px/1.45 'DejaVu Sans',Verdana,Arial,sans-serif}
main{max-width:1040px;margin:0 auto;padding:24px 32px 48px}
h1{font-size:1.7em;margin:.4em 0 .3em}
h2{font-size:1.3em;margin:1.6em 0 .5em;border-bottom:2px solid #0072B2;padding-bottom:.15em}
h3{font-size:1.08em;margin:1.2em 0 .4em}
.lead{color:#444}
table{border-collapse:collapse;width:100%;margin:.4em 0 1em;font-size:.92em;table-layout:auto}
th,td{padding:.32em .6em;border-bottom:1px solid #ddd;text-align:left;vertical-align:top;overflow-wrap:normal;word-break:normal;hyphens:manual}
th{background:#f2f2f2;font-weight:bold}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.pass{color:#00664a;font-weight:bold}
.other{color:#555;font-style:italic}
.fail{color:#a53c00;font-weight:bold}
.better{color:#00664a}
.worse{color:#a53c00}
.summary-line{color:#444;margin-top:-.4em}
.plain{background:#f5f9fc;border-left:4px solid #0072B2;padding:.6em 1em;margin:1em 0}
.plain li{margin:.25em 0}
figure{margin:1.6em 0;page-break-inside:avoid;break-inside:avoid}
figure svg{width:100%;height:auto;display:block}
figcaption{font-size:.9em;color:#444;margin-top:.6em;clear:both}
footer{margin-top:2.5em;border-top:1px solid #ccc;padding-top:.8em;font-size:.85em;color:#555}
footer code{font-size:.95em;word-break:break-all}
@media print{body{font-size:10pt}main{max-width:none;padding:0}table{font-size:8.5pt}
h2,h3{page-break-after:avoid;break-after:avoid}tr{page-break-inside:avoid;break-inside:avoid}}
";

/// The paper a printed report is laid out for (`@page` size).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Paper {
    /// ISO A4 (210 x 297 mm), as NHS board papers are printed.
    #[default]
    A4,
    /// US Letter (8.5 x 11 in).
    Letter,
}

impl Paper {
    /// The CSS `@page` size.
    pub fn css(self) -> &'static str {
        match self {
            Paper::A4 => "A4",
            Paper::Letter => "letter",
        }
    }
}

/// Escapes a table cell's text, keeping a number with its unit: the space
/// before `%` or `pp` does not break (`10.7 %` never prints as `10.7` over
/// `%`), and a long name may break after an underscore.
pub fn cell(s: &str) -> String {
    esc(s)
        .replace(" %", "&nbsp;%")
        .replace(" pp", "&nbsp;pp")
        .replace('_', "_<wbr>")
}

/// Escapes text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An SVG document made fit to sit inside HTML: no XML namespace URL (HTML
/// needs none, and the report must hold no external reference).
pub fn inline_svg(svg: &str) -> String {
    let s = svg.replace(" xmlns=\"http://www.w3.org/2000/svg\"", "");
    let s = s.trim_start();
    let s = s
        .strip_prefix("<?xml")
        .and_then(|r| r.split_once("?>").map(|(_, rest)| rest.trim_start()))
        .unwrap_or(s);
    s.replacen("<svg ", "<svg role=\"img\" ", 1)
}

/// The start of a page: doctype, head with the style sheet (its pages
/// `paper`-sized when printed), the title.
pub fn head(title: &str, paper: Paper) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{t}</title>\n<style>{CSS}@page{{size:{};margin:14mm 14mm 16mm}}\n</style>\n</head>\n<body>\n<main>\n<h1>{t}</h1>\n",
        paper.css(),
        t = esc(title)
    )
}
