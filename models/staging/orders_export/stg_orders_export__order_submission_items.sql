{#
    One row per order line of every interpretable submission (winning and superseded): the lines of every
    version of every order, as submitted. The lines of quarantined submissions are left out.
#}

{#- Only filters and joins over tables (no window, no aggregate): a filter on its rows reaches the tables, so
    data tests on incremental builds can check the rows stamped by the build (incremental_test_scope). -#}
{#- One select and no CTEs, unlike the project's other models: PostgreSQL plans a view whose query has a WITH
    clause apart from the query that reads it (it does not flatten it), so a join to this view, such as the
    changed orders' lines that the incremental models and narrowed tests look up, could not use the tables'
    indexes and joined every line first. Without the WITH, the join reaches the tables' indexes. -#}
{{ config(meta={'row_filters_reach_the_tables': true}) }}

select
    -- ids
    submission_lines.submission_id,
    submission_lines.line_number,
    submission_lines.order_id,
    submission_lines.sku,

    -- item as written on the line
    submission_lines.item_name,
    submission_lines.item_brand,
    submission_lines.item_category,

    -- numbers
    submission_lines.quantity,
    submission_lines.unit_price,

    -- timestamps
    submissions.processed_at

from {{ ref('base_orders_export__submission_lines') }} as submission_lines
inner join {{ ref('base_orders_export__submissions_triaged') }} as submissions
    on submission_lines.raw_row_id = submissions.raw_row_id
where submissions.submission_outcome != 'quarantined'
