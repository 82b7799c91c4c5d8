"""Vietnamese identifier formats (docs/domain.md §3), vectorised with NumPy.

Every function takes arrays and returns arrays of strings, so that millions of identifiers are made
without a Python loop per row.  Uniqueness comes from a bijection on the row index (an affine map
modulo a power of ten with a multiplier coprime to ten), not from rejection sampling.
"""

from __future__ import annotations

import numpy as np

TAX_CODE_WEIGHTS = np.array([31, 29, 23, 19, 17, 13, 7, 5, 3], dtype=np.int64)
MOBILE_SECOND_DIGITS = np.array([3, 5, 7, 8, 9])


def scatter(index: np.ndarray, modulus: int, salt: int) -> np.ndarray:
    """Map 0..modulus-1 onto itself, one to one, in an order that looks random.

    ``multiplier`` is odd and not a multiple of 5, hence coprime to any power of ten, so
    ``(i * multiplier + salt) mod modulus`` is a permutation of the residues.
    """
    multiplier = 7_919_371 if modulus > 7_919_371 else 7_919
    if multiplier % 2 == 0 or multiplier % 5 == 0:  # pragma: no cover - constant check
        raise ValueError("multiplier must be coprime to 10")
    return (index.astype(np.int64) * multiplier + salt) % modulus


def zero_pad(values: np.ndarray, width: int) -> np.ndarray:
    return np.char.zfill(values.astype(np.int64).astype(str), width)


def cccd_numbers(
    province_codes: np.ndarray,
    birth_years: np.ndarray,
    is_female: np.ndarray,
    row_index: np.ndarray,
    salt: int = 0,
) -> np.ndarray:
    """12-digit CCCD: province (3) + century/gender (1) + year (2) + serial (6).

    The serial is unique across rows as long as there are fewer than a million of them, so the
    whole number is unique too.
    """
    if len(row_index) >= 1_000_000:
        raise ValueError("CCCD serials are unique for fewer than 1,000,000 individuals")
    century = np.where(birth_years >= 2000, 2, 0) + is_female.astype(np.int64)
    serial = scatter(row_index, 1_000_000, salt)
    return np.char.add(
        np.char.add(np.char.add(province_codes.astype(str), century.astype(str)),
                    zero_pad(birth_years % 100, 2)),
        zero_pad(serial, 6),
    )


def phone_numbers(row_index: np.ndarray, second_digits: np.ndarray, salt: int = 0) -> np.ndarray:
    """10-digit mobile numbers: 0 + one of 3/5/7/8/9 + 8 digits, unique per row."""
    serial = scatter(row_index, 100_000_000, salt)
    return np.char.add(np.char.add("0", second_digits.astype(str)), zero_pad(serial, 8))


def tax_code_check_digit(first_nine: np.ndarray) -> np.ndarray:
    """N10 = (10 - (sum(N_i * W_i) mod 11)) mod 10 for an (n, 9) array of digits."""
    total = (first_nine.astype(np.int64) * TAX_CODE_WEIGHTS).sum(axis=1)
    return (10 - total % 11) % 10


def tax_codes(row_index: np.ndarray, salt: int = 0) -> np.ndarray:
    """10-digit enterprise tax codes '01' + 7 unique digits + check digit."""
    number = 10_000_000 + scatter(row_index, 10_000_000, salt)  # leading "01" + 7 digits
    powers = 10 ** np.arange(8, -1, -1, dtype=np.int64)
    digits = (number[:, None] // powers) % 10
    first_nine = zero_pad(number, 9)
    return np.char.add(first_nine, tax_code_check_digit(digits).astype(str))


def is_valid_tax_code(code: str) -> bool:
    """Check a tax code (optionally with a -NNN branch suffix)."""
    main = code.split("-")[0]
    if len(main) != 10 or not main.isdigit():
        return False
    digits = np.array([[int(c) for c in main[:9]]])
    return int(tax_code_check_digit(digits)[0]) == int(main[9])


def is_valid_cccd(cccd: str, birth_year: int, is_female: bool, province_codes: set[str]) -> bool:
    if len(cccd) != 12 or not cccd.isdigit() or cccd[:3] not in province_codes:
        return False
    century = (2 if birth_year >= 2000 else 0) + int(is_female)
    return cccd[3] == str(century) and cccd[4:6] == f"{birth_year % 100:02d}"


def is_valid_mobile(phone: str) -> bool:
    return len(phone) == 10 and phone.isdigit() and phone[0] == "0" and phone[1] in "35789"
