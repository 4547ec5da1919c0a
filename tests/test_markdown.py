from sitegen.markdown import make_body_parser, make_inline_parser, render_body, render_inline

def render(body: str, first_line: int = 10):
    return render_body(make_body_parser(), body, path="content/x.md", first_line=first_line)


def test_raw_html_is_escaped_not_passed_through():
    out = render("<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n").html
    assert "<script" not in out and "<img" not in out
    assert "&lt;script&gt;" in out


def test_unsafe_link_schemes_are_not_links():
    for url in ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html;base64,AAAA", "vbscript:x", "file:///etc/passwd"]:
        out = render(f"[click]({url})").html
        assert "<a " not in out, url


def test_safe_links_are_kept_and_external_ones_get_rel():
    out = render("[a](https://example.org/x) [b](../timeline/) [c](mailto:a@example.org)").html
    assert '<a href="https://example.org/x" rel="noopener noreferrer">a</a>' in out
    assert '<a href="../timeline/">b</a>' in out
    assert 'href="mailto:a@example.org"' in out


def test_citations_are_numbered_in_order_of_first_use_with_backrefs():
    body = render("One [@src-two].\n\nTwo [@src-one; @src-two].\n")
    assert body.cited == ("src-two", "src-one")
    assert [(r.source_id, r.number, r.anchor, r.line) for r in body.refs] == [
        ("src-two", 1, "cite-src-two-1", 10),
        ("src-one", 2, "cite-src-one-1", 12),
        ("src-two", 1, "cite-src-two-2", 12),
    ]
    assert '<sup class="cite">[<a href="#source-src-two" id="cite-src-two-1">1</a>]</sup>' in body.html
    assert body.problems == ()


def test_citation_lines_count_soft_breaks():
    body = render("Intro.\n\nFirst line\nsecond line [@nope].\n", first_line=10)
    assert [(r.source_id, r.line) for r in body.refs] == [("nope", 13)]


def test_citation_in_code_is_not_a_citation():
    body = render("`[@nope]`\n\n    [@nope]\n")
    assert body.problems == () and body.cited == ()


def test_third_party_image_is_an_error_and_local_one_is_fine():
    body = render("![map](https://tracker.example/map.png)\n\n![map](../../assets/map.png)\n", first_line=5)
    assert len(body.problems) == 1
    assert body.problems[0].line == 5 and "another site" in body.problems[0].message


def test_table_alignment_uses_classes_not_inline_styles():
    out = render("| a | b |\n|--:|:-:|\n| 1 | 2 |\n").html
    assert "style=" not in out
    assert '<th class="align-right">a</th>' in out and '<td class="align-center">2</td>' in out


def test_headings_get_unique_ids_and_a_toc_avoiding_page_ids():
    body = render("## What happened\n\n## What happened\n\n### Sources\n\n#### Deep\n")
    assert [(h.level, h.id) for h in body.toc] == [(2, "what-happened"), (2, "what-happened-2"), (3, "s-sources")]
    assert '<h4 id="deep">' in body.html


def test_too_deep_nesting_is_an_error_not_silent_loss():
    body = render("> " * 30 + "lost words\n", first_line=3)
    assert any("nested too deeply" in p.message and p.line == 3 for p in body.problems)


def test_inline_markdown_for_front_matter_text():
    md = make_inline_parser()
    assert render_inline(md, "*a* <b>x</b> [l](javascript:x)") == "<em>a</em> &lt;b&gt;x&lt;/b&gt; [l](javascript:x)"
