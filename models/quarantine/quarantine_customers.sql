{#- Raw customers rows set aside, each with the reason code of the first rule it breaks. -#}
{{ quarantined_rows('customers') }}
