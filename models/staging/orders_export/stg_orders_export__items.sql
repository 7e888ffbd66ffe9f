{#
    One row per item (sku), in the latest state the order lines show: the name, brand and category of its most
    recent line (latest submitted_at, then order_id and line_number), and since when they hold (attributes_since:
    the submission of the first order of the latest run of orders showing exactly these attributes; an order
    showing the sku on several lines counts with its last one). The export repeats the item on every line; this
    is where the repetition becomes one state, which the 3NF (int_items) and the vault (sat_item) both read.
    Incremental: a run extends each touched item's state from its latest line (latest_attribute_state), and
    sequences an item's lines again only when a change reaches back before its latest run of attributes.
#}

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
