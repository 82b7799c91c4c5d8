{#- Personal data in the marts: masked, or replaced by a random token (docs/access-control.md). -#}

{#- Mask all but the last `keep` characters of a PII value (null stays null). -#}
{% macro mask_pii(column, keep=3) -%}
    {{ return(adapter.dispatch('mask_pii', 'timo_bank')(column, keep)) }}
{%- endmacro %}

{% macro default__mask_pii(column, keep=3) -%}
    case
        when {{ column }} is null then null
        when length({{ column }}) <= {{ keep }} then repeat('*', length({{ column }}))
        else repeat('*', length({{ column }}) - {{ keep }}) || right({{ column }}, {{ keep }})
    end
{%- endmacro %}

{#- Mask the local part of an e-mail address, keeping the domain (null stays null). -#}
{% macro mask_email(column) -%}
    case
        when {{ column }} is null then null
        else repeat('*', length(split_part({{ column }}, '@', 1))) || '@' || split_part({{ column }}, '@', 2)
    end
{%- endmacro %}

{#- A random, unguessable token ('<prefix>_' and 32 hex digits) for the PII vault (models/pii):
    drawn from the engine's random UUIDs, so it carries no information about the value it stands for. -#}
{% macro random_token(prefix) -%}
    {{ return(adapter.dispatch('random_token', 'timo_bank')(prefix)) }}
{%- endmacro %}

{% macro default__random_token(prefix) -%}
    '{{ prefix }}_' || replace(cast(uuid() as {{ dbt.type_string() }}), '-', '')
{%- endmacro %}

{% macro postgres__random_token(prefix) -%}
    '{{ prefix }}_' || replace(cast(gen_random_uuid() as {{ dbt.type_string() }}), '-', '')
{%- endmacro %}
