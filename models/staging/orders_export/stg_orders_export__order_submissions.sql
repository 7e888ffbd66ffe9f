{{ config(
    materialized='incremental',
    unique_key='submission_id',
    incremental_strategy=target_incremental_strategy('delete+insert'),
    indexes=[
        {'columns': ['submission_id'], 'unique': true},
        {'columns': ['order_id']},
        {'columns': ['processed_at']},
    ],
    pre_hook="{{ delete_rejudged_order_submissions(ref('base_orders_export__submissions_triaged')) }}",
) }}

with

submissions as (

    select * from {{ ref('base_orders_export__submissions_triaged') }}

),

country_spellings as (

    select * from {{ ref('country_spellings') }}

),

interpretable_submissions as (

    select * from submissions
    where
        submission_outcome != 'quarantined'
        {% if is_incremental() %}
            and processed_at > {{ processed_at_watermark() }}
        {% endif %}

),

numbered as (

    select
        *,
        -- the triage's order of submissions (submitted_at, ties to the larger submission_id), ascending
        row_number() over (
            partition by order_id
            order by submitted_at asc, {{ dbt.length('submission_id') }} asc, submission_id asc
        ) as order_submission_number,
        count(*) over (partition by order_id) as order_submission_count
    from interpretable_submissions

),

final as (

    select
        -- ids
        numbered.submission_id,
        numbered.order_id,
        numbered.customer_id,
        numbered.store_id,

        -- customer
        numbered.customer_email,
        numbered.customer_city,
        numbered.customer_postal_code,
        customer_countries.country_code as customer_country_code,

        -- store
        numbered.store_name,
        numbered.store_city,
        numbered.store_postal_code,
        store_countries.country_code as store_country_code,
        numbered.store_timezone,

        -- order as submitted
        numbered.order_status,
        numbered.currency_code,
        numbered.tax_rate,
        numbered.fulfillment_seconds,
        cast(numbered.order_submission_number as integer) as order_submission_number,
        cast(numbered.order_submission_count as integer) as order_submission_count,

        -- booleans
        numbered.prices_include_tax,
        numbered.customer_id is null as is_guest_order,
        numbered.submission_outcome = 'winning' as is_winning_submission,

        -- dates and timestamps
        numbered.order_date,
        numbered.submitted_at,
        numbered.loaded_at,
        numbered.processed_at

    from numbered
    left join country_spellings as customer_countries
        on numbered.customer_country_spelling = customer_countries.spelling
    left join country_spellings as store_countries
        on numbered.store_country_spelling = store_countries.spelling

)

select * from final
