{#
    Satellite of hub_item: the item's name, brand and category, one row per version, insert-only. A run reads
    each item's current state from staging (stg_orders_export__items: the most recent line showing the sku, latest
    submitted_at, then order_id and line_number; the state the 3NF int_items reads too) and inserts it only when its
    hash diff differs from the item's latest row. effective_from is when the version began in business time (the submission of
    the first order of the latest run of orders showing it, UTC), load_date when the vault recorded it.
    Incremental: a run reads the item states staging recomputed since its last insert.
#}

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
