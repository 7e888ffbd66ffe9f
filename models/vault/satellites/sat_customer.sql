{#
    Satellite of hub_customer: the customer's descriptive attributes (name, e-mail, address, country), one row per
    version, insert-only. A run computes each touched customer's current state from staging (the attributes of the
    customer's most recent order, as a whole, as the 3NF int_customers does) and inserts it only when its hash diff
    differs (or the same attributes hold again from a later start: they changed and changed back between two builds)
    from the customer's latest row. effective_from is when the version began in business time (the submission of the
    first order of the latest run of orders showing it, UTC), load_date when the vault recorded it. Holds personal
    data: customer_id is kept beside the hash key so that the erasure command can find the customer's rows, and the
    hash diff (an MD5 of the clear-text attributes, which a guess could be checked against) is personal data too,
    erased with them.
    Incremental: a run recomputes the customers whose orders were processed since its last insert.
#}

{{ config(
    materialized='incremental',
    incremental_strategy='append',
    indexes=[
        {'columns': ['customer_hash_key', 'load_date'], 'unique': true},
    ],
) }}

with

customer_orders as (

    -- the view read twice, not through one CTE, which PostgreSQL would compute whole to read it twice
    select * from {{ ref('stg_orders_export__orders') }}
    where
        customer_id is not null
        {% if is_incremental() %}
            and customer_id in (
                select changed.customer_id from {{ ref('stg_orders_export__orders') }} as changed
                where changed.processed_at > {{ vault_watermark() }}
            )
        {% endif %}

),

latest_versions as (

    {{ latest_attribute_versions(
        'customer_orders',
        'customer_id',
        [
            'customer_first_name', 'customer_last_name', 'customer_email', 'customer_city',
            'customer_postal_code', 'customer_country_code',
        ],
    ) }}

),

staged as (

    select
        -- keys
        {{ vault_hash_key(['customer_id']) }} as customer_hash_key,
        {{ vault_load_date() }} as load_date,
        customer_id,
        attributes_hash as hash_diff,

        -- attributes
        customer_first_name as first_name,
        customer_last_name as last_name,
        customer_email as email,
        customer_city as city,
        customer_postal_code as postal_code,
        customer_country_code as country_code,

        -- business time and audit
        attributes_since as effective_from,
        source_file_name as record_source

    from latest_versions
    where recency = 1

),

final as (

    {{ vault_satellite_changes('staged', 'customer_hash_key', restarted_versions=true) }}

)

select * from final
