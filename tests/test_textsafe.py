import pytest

from mopstui.base.textsafe import clean, clean_line


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("plain text", "plain text"),
        ("\x1b[2Jcleared", "cleared"),
        ("\x1b]0;title\x07after", "after"),
        ("\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\", "link"),
        ("a\x00b\x07c\x7fd", "abcd"),
        ("c1\x9b31mred", "c1red"),
        ("bidi\u202eevil\u2066x", "bidievilx"),
        ("[bold red]x[/]", "[bold red]x[/]"),  # markup stays visible text
        ("tab\there", "tab    here"),
        ("a\r\nb", "a\nb"),
    ],
)
def test_clean(raw, expected):
    assert clean(raw) == expected


def test_clean_line_folds_and_caps():
    assert clean_line("  a\n\tb   c  ") == "a b c"
    assert clean_line("x" * 50, 10) == "x" * 9 + "…"
    assert clean_line("printable  but  spaced") == "printable but spaced"
    assert clean(None) == ""
