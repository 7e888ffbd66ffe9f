{#- One select, no WITH: PostgreSQL plans a view's WITH apart, so joins to the view would miss the tables' indexes. -#}
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

-- the seed named in both joins, not one CTE: a CTE read twice is materialized, without the seed's statistics
from {{ ref('base_orders_export__submissions_triaged') }} as winning_submissions
left join {{ ref('country_spellings') }} as customer_countries
    on winning_submissions.customer_country_spelling = customer_countries.spelling
left join {{ ref('country_spellings') }} as store_countries
    on winning_submissions.store_country_spelling = store_countries.spelling
where winning_submissions.submission_outcome = 'winning'
