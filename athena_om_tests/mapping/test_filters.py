import pytest
from pydantic import ValidationError

from athena_om.mapping.filters import FilterPattern, filter_subject, is_filtered, is_included


@pytest.mark.parametrize(
    ("includes", "excludes", "name", "filtered"),
    [
        ([], [], "anything", False),
        (["sales"], [], "sales", False),
        (["sales"], [], "SALES_eu", False),  # re.match is a prefix match, case-insensitive
        (["sales$"], [], "sales_eu", True),
        (["sales"], [], "eu_sales", True),  # anchored at the start
        ([".*sales"], [], "eu_sales", False),
        ([], ["tmp_.*"], "tmp_x", True),
        ([], ["tmp_.*"], "real", False),
        (["s.*"], ["s_tmp"], "s_tmp_1", True),  # excludes win
        (["s.*"], ["s_tmp"], "s_keep", False),
        (["a", "b"], [], "b1", False),
        (["svc\\.default\\.sales\\..*"], [], "svc.default.sales.orders", False),
    ],
)
def test_filter_semantics_follow_openmetadata(
    includes: list[str], excludes: list[str], name: str, filtered: bool
) -> None:
    pattern = FilterPattern(includes=includes, excludes=excludes)
    assert is_filtered(name, pattern) is filtered
    assert is_included(name, pattern) is not filtered


def test_no_pattern_filters_nothing_and_empty_name_is_filtered() -> None:
    assert is_filtered("x", None) is False
    assert is_filtered("", FilterPattern()) is True
    assert is_filtered(None, FilterPattern()) is True


def test_invalid_regex_fails_at_config_time() -> None:
    with pytest.raises(ValidationError, match="invalid regular expression"):
        FilterPattern(includes=["("])


def test_filter_subject_picks_fqn_when_asked() -> None:
    assert filter_subject("orders", "svc.db.s.orders", use_fqn_for_filtering=True) == "svc.db.s.orders"
    assert filter_subject("orders", "svc.db.s.orders", use_fqn_for_filtering=False) == "orders"
