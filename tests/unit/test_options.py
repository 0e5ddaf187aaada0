"""Options: validation names the field; the page's JSON maps one-to-one."""

from __future__ import annotations

import dataclasses

import pytest

from imgcompress import InvalidOptionsError, Options


def test_defaults() -> None:
    """Defaults: keep format, no explicit quality mode, remove all, keep ICC, auto colours."""
    o = Options()
    assert o.format == "keep"
    assert (o.quality, o.target_size, o.visual_target) == (None, None, None)
    assert o.keep == ()
    assert o.to_srgb is False
    assert o.colors == "auto"
    assert o.max_pixels == 100_000_000


def test_is_frozen() -> None:
    """Options cannot be changed after validation."""
    with pytest.raises(dataclasses.FrozenInstanceError):
        Options().quality = 5  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"format": "bmp"}, "format"),
        ({"format": 3}, "format"),
        ({"quality": 0}, "quality"),
        ({"quality": 101}, "quality"),
        ({"quality": 80.5}, "quality"),
        ({"quality": True}, "quality"),
        ({"target_size": 10}, "target_size"),
        ({"target_size": "200KB"}, "target_size"),
        ({"visual_target": 1.5}, "visual_target"),
        ({"visual_target": float("nan")}, "visual_target"),
        ({"max_width": 0}, "max_width"),
        ({"max_height": -5}, "max_height"),
        ({"keep": ("gps",)}, "keep"),
        ({"to_srgb": "yes"}, "to_srgb"),
        ({"colors": 1}, "colors"),
        ({"colors": 257}, "colors"),
        ({"colors": "many"}, "colors"),
        ({"max_pixels": 0}, "max_pixels"),
        ({"reencode": 0}, "reencode"),
        ({"quality": 80, "target_size": 1000}, "target_size"),
        ({"visual_target": 0.9, "quality": 80}, "visual_target"),
        ({"reencode": False, "format": "webp"}, "reencode"),
        ({"reencode": False, "max_width": 100}, "reencode"),
    ],
)
def test_bad_values_name_the_field(kwargs: dict[str, object], field: str) -> None:
    """Each bad value raises InvalidOptionsError whose field is the offending option."""
    with pytest.raises(InvalidOptionsError) as info:
        Options(**kwargs)  # type: ignore[arg-type]
    assert info.value.field == field
    assert info.value.code == "invalid_options"


def test_normalisation() -> None:
    """Format is case-insensitive, keep accepts a comma string, dupes are dropped."""
    o = Options(format="WebP", keep="datetime, copyright,datetime")  # type: ignore[arg-type]
    assert o.format == "webp"
    assert o.keep == ("datetime", "copyright")


def test_from_mapping_takes_the_page_json() -> None:
    """The page's JSON object (lists, JS numbers, nulls) builds the same Options."""
    o = Options.from_mapping(
        {
            "format": "webp",
            "quality": 80.0,
            "max_width": 1600,
            "max_height": None,
            "keep": ["datetime"],
            "to_srgb": False,
            "colors": "auto",
        }
    )
    assert o == Options(format="webp", quality=80, max_width=1600, keep=("datetime",))


def test_from_mapping_round_trips_to_dict() -> None:
    """to_dict output feeds back into from_mapping unchanged."""
    o = Options(format="png", target_size=200_000, colors=64, keep=("copyright",))
    assert Options.from_mapping(o.to_dict()) == o


def test_from_mapping_rejects_unknown_keys() -> None:
    """A typo in a key is an error naming the key, not silently ignored."""
    with pytest.raises(InvalidOptionsError) as info:
        Options.from_mapping({"qualty": 80})
    assert info.value.field == "qualty"


def test_from_mapping_rejects_two_quality_modes() -> None:
    """Sending quality, target_size and visual_target together is refused."""
    with pytest.raises(InvalidOptionsError):
        Options.from_mapping({"quality": 80, "target_size": 200_000, "visual_target": 0.95})


def test_from_mapping_needs_a_mapping() -> None:
    """A non-object payload is an options error, not a TypeError."""
    with pytest.raises(InvalidOptionsError):
        Options.from_mapping(["quality", 80])  # type: ignore[arg-type]
