{#
    One row per order: its winning submission (the latest interpretable one), cleaned and typed,
    with country spellings resolved to ISO 3166-1 alpha-2 codes.
#}

{#- Only filters and joins over tables (no window, no aggregate): a filter on its rows reaches the tables, so
    data tests on incremental builds can check the rows stamped by the build (incremental_test_scope). -#}
{#- One select and no CTEs, unlike the project's other models: PostgreSQL plans a view whose query has a WITH
    clause apart from the query that reads it (it does not flatten it), so a join to this view, such as the
    changed orders that the incremental models look up, could not use the tables' indexes and read every
    order first. Without the WITH, the join reaches the tables' indexes. -#}
{{ config(meta={'row_filters_reach_the_tables': true}) }}

select
    -- ids
    winning_submissions.order_id,
    winning_submissions.submission_id,
    winning_submissions.customer_id,
    winning_submissions.store_id,

    -- customer
    winning_submissions.customer_first_name,
    winning_submissions.customer_last_name,
    winning_submissions.customer_email,
    winning_submissions.customer_city,
    winning_submissions.customer_postal_code,
    customer_countries.country_code as customer_country_code,

    -- store
    winning_submissions.store_name,
    winning_submissions.store_city,
    winning_submissions.store_postal_code,
    store_countries.country_code as store_country_code,
    winning_submissions.store_timezone,

    -- order
    winning_submissions.order_status,
    winning_submissions.currency_code,
    winning_submissions.tax_rate,
    winning_submissions.fulfillment_seconds,
    winning_submissions.prices_include_tax,
    winning_submissions.customer_id is null as is_guest_order,
    winning_submissions.order_date,
    winning_submissions.submitted_at,

    -- lineage
    winning_submissions.source_file_name,
    winning_submissions.loaded_at,
    winning_submissions.processed_at

-- the seed is named in both joins instead of through one CTE: PostgreSQL materializes a CTE named twice, and
-- without the seed's statistics it expected every order to match several spellings (20 million rows for a
-- million orders), which misled the plan of every query on this view
from {{ ref('base_orders_export__submissions_triaged') }} as winning_submissions
left join {{ ref('country_spellings') }} as customer_countries
    on winning_submissions.customer_country_spelling = customer_countries.spelling
left join {{ ref('country_spellings') }} as store_countries
    on winning_submissions.store_country_spelling = store_countries.spelling
where winning_submissions.submission_outcome = 'winning'
