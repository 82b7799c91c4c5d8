{#- SQL versions of the identifier rules of docs/domain.md §3 (the generator's Python twins are in
    generators/identifiers.py). Each returns a boolean expression; null input gives false. -#}

{#- Enterprise tax code: 10 digits (optionally -NNN for a branch) whose 10th digit is
    (10 - sum(N_i * W_i) mod 11) mod 10 with weights 31, 29, 23, 19, 17, 13, 7, 5, 3. -#}
{% macro is_valid_tax_code(column) -%}
    {%- set weights = [31, 29, 23, 19, 17, 13, 7, 5, 3] -%}
    coalesce(
        {{ regex_matches(column, '^[0-9]{10}(-[0-9]{3})?$') }}
        and cast(substr({{ column }}, 10, 1) as integer) = mod(10 - mod(
            {%- for w in weights %}
            cast(substr({{ column }}, {{ loop.index }}, 1) as integer) * {{ w }}{{ " +" if not loop.last }}
            {%- endfor %}, 11), 10),
        false
    )
{%- endmacro %}

{#- Vietnamese mobile number: 0, then 3/5/7/8/9, then 8 digits. -#}
{% macro is_valid_mobile(column) -%}
    coalesce({{ regex_matches(column, '^0[35789][0-9]{8}$') }}, false)
{%- endmacro %}

{#- E-mail address: a local part, one @, and a domain of dot-separated labels ending in a 2+ letter suffix. -#}
{% macro is_valid_email(column) -%}
    coalesce({{ regex_matches(column, '^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+([.][A-Za-z0-9-]+)*[.][A-Za-z]{2,}$') }}, false)
{%- endmacro %}

{#- CCCD structure: 12 digits. The province prefix is checked by a join to the provinces seed. -#}
{% macro is_valid_cccd_format(column) -%}
    coalesce({{ regex_matches(column, '^[0-9]{12}$') }}, false)
{%- endmacro %}

{#- CCCD digits 4-6 agree with the birth date and gender: century/gender digit (1900s: 0 male,
    1 female; 2000s: 2 male, 3 female) and the last two digits of the birth year. -#}
{% macro cccd_matches_birth(cccd, birth_date, gender) -%}
    coalesce(
        cast(substr({{ cccd }}, 4, 1) as integer)
        = (case when extract(year from {{ birth_date }}) >= 2000 then 2 else 0 end)
        + (case when {{ gender }} = 'female' then 1 else 0 end)
        and cast(substr({{ cccd }}, 5, 2) as integer) = mod(cast(extract(year from {{ birth_date }}) as integer), 100),
        false
    )
{%- endmacro %}
