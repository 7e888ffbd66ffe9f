{{ config(meta={'row_filters_reach_the_tables': true}) }}

with

submissions as (

    select * from {{ ref('base_orders_export__submissions_triaged') }}

),

final as (

    select
        -- ids
        raw_row_id,
        submission_id,
        order_id,
        store_id,

        -- why
        quarantine_reason,

        -- the values as exported (trimmed) that the checks look at
        submitted_at_text,
        store_timezone_as_exported,
        currency_code,
        unparsed_order_items,
        order_items_json,

        -- lineage
        source_file_name,
        loaded_at,
        processed_at

    from submissions
    where submission_outcome = 'quarantined'

)

select * from final
