{#- Raw other_bank_accounts rows set aside, each with the reason code of the first rule it breaks. -#}
{{ quarantined_rows('counterparty_accounts') }}
