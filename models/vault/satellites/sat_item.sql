{{ config(
    materialized='incremental',
    incremental_strategy='append',
    indexes=[
        {'columns': ['item_hash_key', 'load_date'], 'unique': true},
    ],
) }}

with

items as (

    select * from {{ ref('stg_orders_export__items') }}
    {% if is_incremental() %}
        where processed_at > {{ vault_watermark() }}
    {% endif %}

),

staged as (

    select
        -- keys
        {{ vault_hash_key(['sku']) }} as item_hash_key,
        {{ vault_load_date() }} as load_date,
        attributes_hash as hash_diff,

        -- attributes
        item_name,
        item_brand as brand,
        item_category as category,

        -- business time and audit
        attributes_since as effective_from,
        source_file_name as record_source

    from items

),

final as (

    {{ vault_satellite_changes('staged', 'item_hash_key', restarted_versions=true) }}

)

select * from final
