{#- First-digit distribution of completed amounts per customer segment and month, against Benford's law
    (summed from the daily counts of int_benford_daily_digits). -#}

with

daily_digits as (
    select
        customer_segment,
        cast({{ dbt.date_trunc('month', 'transaction_date') }} as date) as month_start,
        first_digit,
        observed_count
    from {{ ref('int_benford_daily_digits') }}
),

digits as (
    {%- for d in range(1, 10) %}
        select {{ d }} as first_digit{% if not loop.last %}
            union all{% endif %}
    {%- endfor %}
),

observed as (
    select
        customer_segment,
        month_start,
        first_digit,
        sum(observed_count) as observed_count
    from daily_digits
    group by customer_segment, month_start, first_digit
),

segment_months as (
    select
        customer_segment,
        month_start,
        sum(observed_count) as total_count
    from observed
    group by customer_segment, month_start
),

final as (
    select
        cast(segment_months.customer_segment as {{ dbt.type_string() }}) as customer_segment,
        cast(segment_months.month_start as date) as month_start,
        cast(digits.first_digit as integer) as first_digit,
        cast(coalesce(observed.observed_count, 0) as bigint) as observed_count,
        cast(segment_months.total_count as bigint) as total_count,
        cast(coalesce(observed.observed_count, 0) as {{ type_double() }}) / segment_months.total_count
            as observed_share,
        ln(1 + cast(1 as {{ type_double() }}) / digits.first_digit) / ln(10) as expected_share
    from segment_months
    cross join digits
    left join observed
        on
            segment_months.customer_segment = observed.customer_segment
            and segment_months.month_start = observed.month_start
            and digits.first_digit = observed.first_digit
)

select
    *,
    abs(observed_share - expected_share) as absolute_deviation
from final
