{#
    One row per export row that breaks the source contract, with the one reason it was set aside.
    Nothing is dropped silently: these rows are counted by the reconciliation test, and the values
    that could not be interpreted are kept as text for whoever fixes the export.
#}

{#- Only filters and joins over tables (no window, no aggregate): a filter on its rows reaches the tables, so
    data tests on incremental builds can check the rows stamped by the build (incremental_test_scope). -#}
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
