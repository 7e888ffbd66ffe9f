{{ config(
    materialized='incremental',
    incremental_strategy='append',
    indexes=[
        {'columns': ['store_hash_key', 'load_date'], 'unique': true},
    ],
) }}

with

stores as (

    select * from {{ ref('stg_orders_export__stores') }}
    {% if is_incremental() %}
        where processed_at > {{ vault_watermark() }}
    {% endif %}

),

staged as (

    select
        -- keys
        {{ vault_hash_key(['store_id']) }} as store_hash_key,
        {{ vault_load_date() }} as load_date,
        attributes_hash as hash_diff,

        -- attributes
        store_name,
        store_city as city,
        store_postal_code as postal_code,
        store_country_code as country_code,
        store_timezone as timezone,

        -- business time and audit
        attributes_since as effective_from,
        source_file_name as record_source

    from stores

),

final as (

    {{ vault_satellite_changes('staged', 'store_hash_key', restarted_versions=true) }}

)

select * from final
