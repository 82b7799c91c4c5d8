{{ config(
    severity='error',
    meta={'rationale': 'Nothing is silently dropped: every raw row is either clean or quarantined.'},
) }}

-- Reconciliation: for every raw table, raw rows = clean rows + quarantined rows. Fails per table.

with

counts as (
    select
        'accounts' as entity,
        (select count(*) from {{ ref('stg_core_banking__accounts') }}) as raw_rows,
        (select count(*) from {{ ref('int_accounts_clean') }}) as clean_rows,
        (select count(*) from {{ ref('quarantine_accounts') }}) as quarantined_rows
    union all
    select
        'authentication_logs' as entity,
        (select count(*) from {{ ref('stg_core_banking__authentication_logs') }}) as raw_rows,
        (select count(*) from {{ ref('int_authentication_logs_clean') }}) as clean_rows,
        (select count(*) from {{ ref('quarantine_authentication_logs') }}) as quarantined_rows
    union all
    select
        'counterparty_accounts' as entity,
        (select count(*) from {{ ref('stg_interbank__counterparty_accounts') }}) as raw_rows,
        (select count(*) from {{ ref('int_counterparty_accounts_clean') }}) as clean_rows,
        (select count(*) from {{ ref('quarantine_counterparty_accounts') }}) as quarantined_rows
    union all
    select
        'counterparty_customers' as entity,
        (select count(*) from {{ ref('stg_interbank__counterparty_customers') }}) as raw_rows,
        (select count(*) from {{ ref('int_counterparty_customers_clean') }}) as clean_rows,
        (select count(*) from {{ ref('quarantine_counterparty_customers') }}) as quarantined_rows
    union all
    select
        'customers' as entity,
        (select count(*) from {{ ref('stg_core_banking__customers') }}) as raw_rows,
        (select count(*) from {{ ref('int_customers_clean') }}) as clean_rows,
        (select count(*) from {{ ref('quarantine_customers') }}) as quarantined_rows
    union all
    select
        'devices' as entity,
        (select count(*) from {{ ref('stg_core_banking__devices') }}) as raw_rows,
        (select count(*) from {{ ref('int_devices_clean') }}) as clean_rows,
        (select count(*) from {{ ref('quarantine_devices') }}) as quarantined_rows
    union all
    select
        'fraud_labels' as entity,
        (select count(*) from {{ ref('stg_ground_truth__fraud_labels') }}) as raw_rows,
        (select count(*) from {{ ref('int_fraud_labels_clean') }}) as clean_rows,
        (select count(*) from {{ ref('quarantine_fraud_labels') }}) as quarantined_rows
    union all
    select
        'transactions' as entity,
        (select count(*) from {{ ref('stg_core_banking__transactions') }}) as raw_rows,
        (select count(*) from {{ ref('int_transactions_clean') }}) as clean_rows,
        (select count(*) from {{ ref('quarantine_transactions') }}) as quarantined_rows
)

select * from counts
where raw_rows <> clean_rows + quarantined_rows
