"""Division codes, paths and the visibility rules built on them (a unit sees itself and below)."""

import pytest

from luoshi_proto.divisions import division_path, is_below, is_valid_code, is_within, level_of

PROVINCE = "520000000000"  # 贵州省
CITY = "520100000000"  # 贵阳市
COUNTY = "520102000000"  # 南明区
TOWNSHIP = "520102001000"
CITY_DEPT = "520100000000D01"  # a department of the city government
COUNTY_DEPT = "520102000000D03"
COUNTY_DEPT_2 = "520102000000D07"
SIBLING_CITY = "520200000000"  # 六盘水市
SIBLING_CITY_DEPT = "520200000000D01"
SIBLING_COUNTY = "520103000000"


@pytest.mark.parametrize(
    ("code", "path", "level"),
    [
        (PROVINCE, "52", "province"),
        (CITY, "52.01", "city"),
        (COUNTY, "52.01.02", "county"),
        (TOWNSHIP, "52.01.02.001", "township"),
        (CITY_DEPT, "52.01", "city"),
        (COUNTY_DEPT, "52.01.02", "county"),
    ],
)
def test_division_path_and_level(code: str, path: str, level: str) -> None:
    assert division_path(code) == path
    assert level_of(code) == level


# (code, scope, is_within, is_below), seen from the city of 贵阳 unless the scope says otherwise
CASES = [
    (CITY, CITY, True, False),  # own organisation
    (COUNTY, CITY, True, True),  # child
    (TOWNSHIP, CITY, True, True),  # grandchild
    (SIBLING_CITY, CITY, False, False),  # sibling
    (PROVINCE, CITY, False, False),  # parent
    (CITY_DEPT, CITY, True, True),  # department of own government
    (COUNTY_DEPT, CITY, True, True),  # department of a child government
    (SIBLING_CITY_DEPT, CITY, False, False),  # department of a sibling
    (SIBLING_COUNTY, COUNTY, False, False),  # sibling county
    (CITY, PROVINCE, True, True),
    (TOWNSHIP, PROVINCE, True, True),
    (COUNTY, TOWNSHIP, False, False),  # a township sees nothing above it
    (COUNTY_DEPT, COUNTY_DEPT, True, False),  # a department sees itself ...
    (COUNTY, COUNTY_DEPT, False, False),  # ... not its government,
    (TOWNSHIP, COUNTY_DEPT, False, False),  # ... not the divisions below,
    (COUNTY_DEPT_2, COUNTY_DEPT, False, False),  # ... and not other departments
]


@pytest.mark.parametrize(("code", "scope", "within", "below"), CASES)
def test_is_within_and_is_below(code: str, scope: str, within: bool, below: bool) -> None:
    assert is_within(code, scope) is within
    assert is_below(code, scope) is below


@pytest.mark.parametrize("code", [PROVINCE, CITY, COUNTY, TOWNSHIP, COUNTY_DEPT, "520102001001"])
def test_valid_codes(code: str) -> None:
    assert is_valid_code(code)


@pytest.mark.parametrize(
    "code",
    ["", "52010200100", "5201020010000", "52010200100A", "520102000000D3", "520102000000d03", "52.01.02"],
)
def test_invalid_codes(code: str) -> None:
    assert not is_valid_code(code)
