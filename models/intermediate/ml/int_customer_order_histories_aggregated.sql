{#
    One row per (known customer, as-of date): the customer's orders as they were known on the as-of date,
    aggregated into churn features. Point in time: an order counts with its latest version submitted
    strictly before the as-of date, and not at all when its first version came on or after it.
    Running sums over each customer's time line: every version's lines are summed once, come in at
    known_from_date and go out at superseded_from_date (order_window_events, category_state_events), and the
    sums are read at the as-of dates. Extremes cannot go out of a running max: they are taken over the current
    versions on the time line and over the few superseded versions still known on each as-of date.
    Incremental: a run recomputes the rows of the customers with an order version (re)computed since its last
    run from the first as-of date the change reaches on (changed_customer_as_of_dates); the pre-hook first
    deletes those rows. When the data reaches an as-of date the table does not have yet, every customer's row
    of that date is computed.
#}

{{ config(
    materialized='incremental',
    unique_key=['customer_id', 'as_of_date'],
    incremental_strategy=target_incremental_strategy('delete+insert'),
    indexes=[
        {'columns': ['customer_id', 'as_of_date'], 'unique': true},
        {'columns': ['as_of_date']},
        {'columns': ['processed_at']},
    ],
    pre_hook=[
        "{{ delete_changed_customer_as_of_dates(ref('int_order_version_items_priced')) }}",
        "{{ delete_as_of_dates_outside(ref('int_churn_as_of_dates_generated')) }}",
    ],
) }}

with

as_of_dates as (

    select * from {{ ref('int_churn_as_of_dates_generated') }}

),

{% if is_incremental() %}
    changed_customers as (

        {{ changed_customer_as_of_dates(ref('int_order_version_items_priced')) }}

    ),

    new_as_of_dates as (

        -- the as-of dates the table has no row for yet (the data reached a new month)
        select as_of_date from as_of_dates
        where
            as_of_date > (select max(existing_rows.as_of_date) from {{ this }} as existing_rows)
            or as_of_date < (select min(existing_rows.as_of_date) from {{ this }} as existing_rows)

    ),
{% endif %}

order_version_items as (

    {% if is_incremental() %}
        -- every customer's versions when an as-of date is new, else the changed customers' (two branches read
        -- through the index on customer_id, not an OR that reads the whole table)
        select * from {{ ref('int_order_version_items_priced') }}
        where
            customer_id is not null
            and exists (select 1 from new_as_of_dates)
        union all
        select * from {{ ref('int_order_version_items_priced') }}
        where
            customer_id in (
                select changed_customers.customer_id from changed_customers
                where changed_customers.recompute_from_date <= (select max(as_of_dates.as_of_date) from as_of_dates)
            )
            and not exists (select 1 from new_as_of_dates)
    {% else %}
        select * from {{ ref('int_order_version_items_priced') }}
        where customer_id is not null
    {% endif %}

),

known_versions as (

    -- each version of a known customer's order known on some as-of date (not one followed by another the same
    -- day), its lines summed once, and its rank among the customer's versions in submission order
    select
        customer_id,
        submission_id,
        customer_country_code,
        order_status,
        is_revenue,
        order_date,
        known_from_date,
        superseded_from_date,
        sum(quantity) as item_quantity,
        sum(case when is_revenue then net_amount else 0 end) as net_revenue,
        row_number() over (
            partition by customer_id
            order by submitted_at asc, order_id asc, order_submission_number asc
        ) as customer_version_rank
    from order_version_items
    group by
        customer_id, submission_id, order_id, order_submission_number, customer_country_code, order_status,
        is_revenue, order_date, known_from_date, superseded_from_date, submitted_at
    having superseded_from_date is null or superseded_from_date > known_from_date

),

history_rows as (

    -- the rows to compute: each customer's as-of dates from their first known version on
    select
        first_versions.customer_id,
        as_of_dates.as_of_date
    from (
        select
            customer_id,
            min(known_from_date) as first_known_date
        from known_versions
        group by customer_id
    ) as first_versions
    inner join as_of_dates on first_versions.first_known_date <= as_of_dates.as_of_date
    {% if is_incremental() %}
        left join changed_customers on first_versions.customer_id = changed_customers.customer_id
        where
            as_of_dates.as_of_date >= changed_customers.recompute_from_date
            or as_of_dates.as_of_date in (select new_as_of_dates.as_of_date from new_as_of_dates)
    {% endif %}

),

known_category_lines as (

    select * from order_version_items
    where
        is_revenue
        and item_category is not null
        and (superseded_from_date is null or superseded_from_date > known_from_date)

),

order_events as (

    {{ order_window_events('known_versions') }}

),

category_events as (

    {{ category_state_events('known_category_lines') }}

),

running_sums as (

    {{ running_sums_at('history_rows', {
        'order_events': [
            'order_count_lifetime', 'order_count_30d', 'order_count_90d', 'order_count_365d', 'order_count_prior_90d',
            'net_revenue_lifetime', 'net_revenue_30d', 'net_revenue_90d', 'net_revenue_365d',
            'net_revenue_prior_90d', 'revenue_order_count', 'revenue_item_quantity', 'returned_order_count',
            'current_last_order_date', 'current_first_order_date', 'current_latest_rank',
        ],
        'category_events': ['distinct_category_count', 'top_category_revenue', 'category_revenue'],
    }, {'current_last_order_date': 'max', 'current_first_order_date': 'min', 'current_latest_rank': 'max'}) }}

),

known_histories as (

    {{ known_version_extremes('running_sums', 'known_versions') }}

),

final as (

    select
        -- ids
        known_histories.customer_id,

        -- customer as known: the country on their latest submission known on the as-of date
        known_histories.country_code,

        -- recency and tenure
        cast({{ dbt.datediff(
            'known_histories.last_order_date', 'known_histories.as_of_date', 'day'
        ) }} as integer) as days_since_last_order,
        cast({{ dbt.datediff(
            'known_histories.first_order_date', 'known_histories.as_of_date', 'day'
        ) }} as integer) as days_since_first_order,

        -- frequency
        {%- for window in ['30d', '90d', '365d', 'lifetime', 'prior_90d'] %}
            cast(known_histories.order_count_{{ window }} as integer) as order_count_{{ window }},
        {%- endfor %}
        cast(known_histories.order_count_90d - known_histories.order_count_prior_90d as integer)
            as order_count_trend_90d,

        -- monetary
        {%- for window in ['30d', '90d', '365d', 'lifetime', 'prior_90d'] %}
            known_histories.net_revenue_{{ window }},
        {%- endfor %}
        known_histories.net_revenue_90d - known_histories.net_revenue_prior_90d as net_revenue_trend_90d,
        {{ as_double('known_histories.net_revenue_lifetime') }}
        / nullif(known_histories.revenue_order_count, 0) as average_order_value,

        -- basket
        {{ as_double('known_histories.revenue_item_quantity') }}
        / nullif(known_histories.revenue_order_count, 0) as average_basket_size,
        cast(known_histories.distinct_category_count as integer) as distinct_category_count,
        {{ as_double('known_histories.top_category_revenue') }}
        / nullif({{ as_double('known_histories.category_revenue') }}, 0) as top_category_revenue_share,

        -- order statuses and rhythm
        {{ as_double('known_histories.order_count_lifetime - known_histories.revenue_order_count') }}
        / known_histories.order_count_lifetime as cancelled_order_ratio,
        {{ as_double('known_histories.returned_order_count') }} / known_histories.order_count_lifetime
            as returned_order_ratio,
        {{ as_double(dbt.datediff('known_histories.first_order_date', 'known_histories.last_order_date', 'day')) }}
        / nullif(known_histories.order_count_lifetime - 1, 0) as mean_days_between_orders,

        -- dates and timestamps
        known_histories.as_of_date,
        {{ processed_at() }} as processed_at

    from known_histories

)

select * from final
