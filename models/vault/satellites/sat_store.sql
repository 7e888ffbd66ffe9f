{#
    Satellite of hub_store: the store's descriptive attributes (name, address, country, time zone), one row per
    version, insert-only. A run computes each touched store's current state from staging (the attributes of the
    store's most recent order, as a whole, as the 3NF int_stores does) and inserts it only when its hash diff
    differs from the store's latest row. effective_from is when the version began in business time (the submission
    of the first order of the latest run of orders showing it, UTC), load_date when the vault recorded it.
    Incremental: a run recomputes the stores whose orders were processed since its last insert.
#}

{{ config(
    materialized='incremental',
    incremental_strategy='append',
    indexes=[
        {'columns': ['store_hash_key', 'load_date'], 'unique': true},
    ],
) }}

with

orders as (

    select * from {{ ref('stg_orders_export__orders') }}

),

store_orders as (

    select * from orders
    {% if is_incremental() %}
        where store_id in (
            select changed.store_id from orders as changed
            where changed.processed_at > {{ vault_watermark() }}
        )
    {% endif %}

),

latest_versions as (

    {{ latest_attribute_versions(
        'store_orders',
        'store_id',
        ['store_name', 'store_city', 'store_postal_code', 'store_country_code', 'store_timezone'],
    ) }}

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

    from latest_versions
    where recency = 1

),

final as (

    {{ vault_satellite_changes('staged', 'store_hash_key', restarted_versions=true) }}

)

select * from final
