{#-
    Per typology: how many cases stand where, what analysts concluded on the closed ones, and two
    precisions side by side: the analysts' (confirmed fraud over confirmed plus false positives,
    inconclusive closes left out) and the labels' (eval_case_detection_quality: cases that hold a
    planted fraud transaction of that typology). On real data only the first exists.
-#}

with

cases as (
    select * from {{ ref('fct_case_workflow') }}
),

labels as (
    select
        typology,
        case_precision
    from {{ ref('eval_case_detection_quality') }}
),

per_typology as (
    select
        typology,
        count(*) as case_count,
        sum(case when case_status = 'open' then 1 else 0 end) as open_count,
        sum(case when case_status in ('assigned', 'in_review') then 1 else 0 end) as in_progress_count,
        sum(case when case_status = 'closed' then 1 else 0 end) as closed_count,
        sum(case when outcome = 'confirmed_fraud' then 1 else 0 end) as confirmed_fraud_count,
        sum(case when outcome = 'false_positive' then 1 else 0 end) as false_positive_count,
        sum(case when outcome = 'inconclusive' then 1 else 0 end) as inconclusive_count,
        sum(case when is_sla_breached then 1 else 0 end) as sla_breached_count
    from cases
    group by typology
),

final as (
    select
        cast(per_typology.typology as {{ dbt.type_string() }}) as typology,
        cast(per_typology.case_count as integer) as case_count,
        cast(per_typology.open_count as integer) as open_count,
        cast(per_typology.in_progress_count as integer) as in_progress_count,
        cast(per_typology.closed_count as integer) as closed_count,
        cast(per_typology.confirmed_fraud_count as integer) as confirmed_fraud_count,
        cast(per_typology.false_positive_count as integer) as false_positive_count,
        cast(per_typology.inconclusive_count as integer) as inconclusive_count,
        cast(per_typology.sla_breached_count as integer) as sla_breached_count,
        cast(per_typology.confirmed_fraud_count as {{ type_double() }}) / nullif(
            per_typology.confirmed_fraud_count + per_typology.false_positive_count, 0
        ) as analyst_precision,
        cast(labels.case_precision as {{ type_double() }}) as label_precision
    from per_typology
    left join labels
        on per_typology.typology = labels.typology
)

select * from final
