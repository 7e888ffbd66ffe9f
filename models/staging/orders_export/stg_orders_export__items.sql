{{ config(
    materialized='incremental',
    unique_key='sku',
    incremental_strategy=target_incremental_strategy('delete+insert'),
    indexes=[
        {'columns': ['sku'], 'unique': true},
    ],
) }}

with

{{ latest_attribute_state(
    ref('stg_orders_export__order_items'),
    'sku',
    ['item_name', 'item_brand', 'item_category'],
    line_number_column='line_number',
) }},

final as (

    select
        -- ids
        sku,

        -- attributes
        item_name,
        item_brand,
        item_category,
        attributes_hash,

        -- history
        attributes_since,

        -- where the next incremental run continues from
        latest_order_id,
        latest_submission_id,
        latest_line_number,
        version_start_order_id,
        version_start_submission_id,
        version_start_line_number,
        previous_version_end_order_id,
        previous_version_end_submission_id,
        previous_version_end_line_number,

        -- lineage
        source_file_name,
        {{ processed_at() }} as processed_at

    from entity_states

)

select * from final
