{#-
    Detection measured on cases, against the generator's fraud labels (with eval_detection_quality,
    the only models that read them). Per typology:
    - event recall: planted events of the typology that some case covers (any of their transactions) /
      planted events;
    - case precision: cases of the typology that cover a planted event (of any typology) / its cases;
    - queue volume: cases per 1,000 transactions.
    The row with typology 'all' sums every typology.
-#}

with

labels as (
    select * from {{ ref('int_fraud_labels_clean') }}
),

cases as (
    select * from {{ ref('fct_fraud_cases') }}
),

case_transactions as (
    select case_transactions.*
    from {{ ref('fct_fraud_case_transactions') }} as case_transactions
    inner join cases
        on case_transactions.case_id = cases.case_id
),

transaction_count as (
    select count(*) as n_transactions from {{ ref('fct_transactions') }}
),

events as (
    select
        labels.fraud_scenario as typology,
        labels.fraud_event_id,
        max(case when case_transactions.case_id is not null then 1 else 0 end) as is_found
    from labels
    left join case_transactions
        on labels.transaction_id = case_transactions.transaction_id
    group by labels.fraud_scenario, labels.fraud_event_id
),

case_truth as (
    select
        cases.case_id,
        cases.typology,
        max(case when labels.transaction_id is not null then 1 else 0 end) as covers_an_event
    from cases
    left join case_transactions
        on cases.case_id = case_transactions.case_id
    left join labels
        on case_transactions.transaction_id = labels.transaction_id
    group by cases.case_id, cases.typology
),

event_scores as (
    select
        typology,
        count(*) as planted_events,
        sum(is_found) as found_events
    from events
    group by typology
    union all
    select
        'all' as typology,
        count(*) as planted_events,
        sum(is_found) as found_events
    from events
),

case_scores as (
    select
        typology,
        count(*) as cases,
        sum(covers_an_event) as true_cases
    from case_truth
    group by typology
    union all
    select
        'all' as typology,
        count(*) as cases,
        sum(covers_an_event) as true_cases
    from case_truth
),

final as (
    select
        cast(coalesce(event_scores.typology, case_scores.typology) as {{ dbt.type_string() }}) as typology,
        cast(coalesce(event_scores.planted_events, 0) as bigint) as planted_events,
        cast(coalesce(event_scores.found_events, 0) as bigint) as found_events,
        cast(event_scores.found_events as {{ type_double() }}) / nullif(event_scores.planted_events, 0) as event_recall,
        cast(coalesce(case_scores.cases, 0) as bigint) as cases,
        cast(coalesce(case_scores.true_cases, 0) as bigint) as true_cases,
        cast(case_scores.true_cases as {{ type_double() }}) / nullif(case_scores.cases, 0) as case_precision,
        1000 * cast(coalesce(case_scores.cases, 0) as {{ type_double() }}) / nullif(transaction_count.n_transactions, 0)
            as cases_per_1000_transactions
    from event_scores
    full outer join case_scores
        on event_scores.typology = case_scores.typology
    cross join transaction_count
)

select * from final
