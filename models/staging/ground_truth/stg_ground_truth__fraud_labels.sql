with

source as (
    select * from {{ source('ground_truth', 'fraud_labels') }}
),

renamed as (
    select
        transaction_id,
        lower(trim(scenario)) as fraud_scenario,
        event_id as fraud_event_id
    from source
)

select * from renamed
