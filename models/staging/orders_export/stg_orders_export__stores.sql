{{ config(
    materialized='incremental',
    unique_key='store_id',
    incremental_strategy=target_incremental_strategy('delete+insert'),
    indexes=[
        {'columns': ['store_id'], 'unique': true},
    ],
) }}

with

{{ latest_attribute_state(
    ref('stg_orders_export__orders'),
    'store_id',
    ['store_name', 'store_city', 'store_postal_code', 'store_country_code', 'store_timezone'],
) }},

final as (

    select
        -- ids
        store_id,

        -- attributes
        store_name,
        store_city,
        store_postal_code,
        store_country_code,
        store_timezone,
        attributes_hash,

        -- history
        attributes_since,

        -- where the next incremental run continues from
        latest_order_id,
        latest_submission_id,
        version_start_order_id,
        version_start_submission_id,
        previous_version_end_order_id,
        previous_version_end_submission_id,

        -- lineage
        source_file_name,
        {{ processed_at() }} as processed_at

    from entity_states

)

select * from final
