{#-
    Precision and recall of every rule against the generator's fraud labels. This is the only model
    that reads the labels. A typology rule is scored against its own typology; a policy rule against
    any planted fraud. Customer-day alerts cover every transaction of that customer on that day
    (fct_alert_transactions).
-#}

with

rules as (
    select * from {{ ref('risk_rules') }}
),

labels as (
    select * from {{ ref('int_fraud_labels_clean') }}
),

alerted_transactions as (
    select * from {{ ref('fct_alert_transactions') }}
),

scored as (
    select
        rules.rule_id,
        rules.rule_code,
        rules.typology,
        count(alerted_transactions.transaction_id) as alerted_transactions,
        sum(case
            when
                labels.transaction_id is not null and (rules.typology is null or labels.fraud_scenario = rules.typology)
                then 1
            else 0
        end) as true_positives
    from rules
    left join alerted_transactions
        on rules.rule_code = alerted_transactions.rule_code
    left join labels
        on alerted_transactions.transaction_id = labels.transaction_id
    group by rules.rule_id, rules.rule_code, rules.typology
),

labelled as (
    select
        rules.rule_code,
        count(labels.transaction_id) as labelled_transactions
    from rules
    left join labels
        on rules.typology is null or rules.typology = labels.fraud_scenario
    group by rules.rule_code
),

final as (
    select
        scored.rule_id,
        scored.rule_code,
        scored.typology,
        scored.alerted_transactions,
        labelled.labelled_transactions,
        scored.true_positives,
        case
            when scored.alerted_transactions > 0
                then cast(scored.true_positives as {{ type_double() }}) / scored.alerted_transactions
        end as precision_score,
        case
            when labelled.labelled_transactions > 0
                then cast(scored.true_positives as {{ type_double() }}) / labelled.labelled_transactions
        end as recall_score
    from scored
    inner join labelled
        on scored.rule_code = labelled.rule_code
)

select
    *,
    case
        when precision_score + recall_score > 0
            then 2 * precision_score * recall_score / (precision_score + recall_score)
    end as f1_score
from final
