{{ config(
    materialized='incremental',
    incremental_strategy='append',
    indexes=[
        {'columns': ['customer_hash_key', 'load_date'], 'unique': true},
    ],
) }}

with

customer_orders as (

    -- the view read twice, not through one CTE, which would be computed whole to be read twice
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
