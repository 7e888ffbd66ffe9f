{#
    Satellite of hub_store: the store's descriptive attributes (name, address, country, time zone), one row per
    version, insert-only. A run reads each store's current state from staging (stg_orders_export__stores: the
    attributes of the store's most recent order, as a whole; the state the 3NF int_stores reads too) and inserts it
    only when its hash diff differs from the store's latest row. effective_from is when the version began in business time (the submission
    of the first order of the latest run of orders showing it, UTC), load_date when the vault recorded it.
    Incremental: a run reads the store states staging recomputed since its last insert.
#}

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
