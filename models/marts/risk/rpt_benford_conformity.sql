{#- Nigrini's mean absolute deviation (MAD) of first digits and its conformity band (docs/domain.md §6). -#}

with

digits as (
    select * from {{ ref('rpt_benford_first_digits') }}
),

final as (
    select
        customer_segment,
        month_start,
        max(total_count) as amount_count,
        avg(absolute_deviation) as mean_absolute_deviation
    from digits
    group by customer_segment, month_start
)

select
    customer_segment,
    month_start,
    amount_count,
    mean_absolute_deviation,
    case
        when mean_absolute_deviation <= 0.006 then 'close conformity'
        when mean_absolute_deviation <= 0.012 then 'acceptable conformity'
        when mean_absolute_deviation <= 0.015 then 'marginally acceptable conformity'
        else 'nonconformity'
    end as conformity_band
from final
