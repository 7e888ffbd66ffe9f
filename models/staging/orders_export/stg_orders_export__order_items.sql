{#- One select, no WITH: PostgreSQL plans a view's WITH apart, so joins to the view would miss the tables' indexes. -#}
{{ config(meta={'row_filters_reach_the_tables': true}) }}

select
    -- ids (the order's id from the submission, whose index finds an order's lines)
    submissions.order_id,
    submission_lines.line_number,
    submission_lines.submission_id,
    submission_lines.sku,

    -- item as written on the line
    submission_lines.item_name,
    submission_lines.item_brand,
    submission_lines.item_category,

    -- numbers
    submission_lines.quantity,
    submission_lines.unit_price,

    -- when the line was submitted, to pick the latest item attributes
    submissions.submitted_at,

    -- lineage
    submissions.source_file_name,
    submissions.processed_at

from {{ ref('base_orders_export__submission_lines') }} as submission_lines
inner join {{ ref('base_orders_export__submissions_triaged') }} as submissions
    on submission_lines.raw_row_id = submissions.raw_row_id
where submissions.submission_outcome = 'winning'
