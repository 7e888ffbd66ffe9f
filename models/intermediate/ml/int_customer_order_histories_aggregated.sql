{#
    One row per (known customer, as-of date): the customer's orders as they were known on the as-of date,
    aggregated into churn features. Point in time: an order counts with its latest version submitted
    strictly before the as-of date (its date, status, lines and amounts as of then), and not at all when its
    first version came on or after it. Nothing here reads the orders' current state.
    Windows of N days cover the order dates in [as_of_date - N days, as_of_date).
    Each version's lines are summed once, then the versions are matched to the as-of dates they are known on.
    Incremental: a run recomputes the rows of the customers with an order version (re)computed since its last
    run from the first as-of date the change reaches on (changed_customer_as_of_dates: a new submission is
    known from the day after its order date, and the as-of dates before it saw none of it); the pre-hook first
    deletes those rows, so a customer who lost an order loses the rows it gave. When the data reaches an as-of
    date the table does not have yet, every customer's row of that date is computed.
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

        -- the customers with an order version (re)computed since this model's last run, and the first as-of
        -- date the change reaches
        {{ changed_customer_as_of_dates(ref('int_order_version_items_priced')) }}

    ),

    new_as_of_dates as (

        -- the as-of dates the table has no row for yet (the data reached a new month)
        select as_of_date from as_of_dates
        where
            as_of_date > (select max(existing_rows.as_of_date) from {{ this }} as existing_rows)
            or as_of_date < (select min(existing_rows.as_of_date) from {{ this }} as existing_rows)

    ),

    scope_customers as (

        -- the changed customers with a row to recompute: a change first known after the last as-of date (the
        -- new orders of a daily export, mostly) reaches none of the table's rows
        select changed_customers.customer_id from changed_customers
        where changed_customers.recompute_from_date <= (select max(as_of_dates.as_of_date) from as_of_dates)

    ),
{% endif %}

order_version_items as (

    {% if is_incremental() %}
        -- only the versions read: every customer's when an as-of date is new, else the scope customers', found
        -- through the index on customer_id (two branches, not an OR or a union with every customer: the planner
        -- then expects a few rows and reads a few customers, not the whole table into a hash join)
        select * from {{ ref('int_order_version_items_priced') }}
        where
            customer_id is not null
            and exists (select 1 from new_as_of_dates)
        union all
        select * from {{ ref('int_order_version_items_priced') }}
        where
            customer_id in (select scope_customers.customer_id from scope_customers)
            and not exists (select 1 from new_as_of_dates)
    {% else %}
        select * from {{ ref('int_order_version_items_priced') }}
    {% endif %}

),

known_order_versions as (

    -- each version of a known customer's order, its lines summed once (not once per as-of date)
    select
        submission_id,
        order_id,
        customer_id,
        customer_country_code,
        order_status,
        is_revenue,
        order_date,
        known_from_date,
        superseded_from_date,
        submitted_at,
        sum(quantity) as item_quantity,
        sum(case when is_revenue then net_amount else 0 end) as net_revenue,
        -- the customer's versions in submission order: of the versions known on an as-of date, the one with
        -- the highest rank is the latest submission (a later version of one order has a higher rank)
        row_number() over (
            partition by customer_id
            order by submitted_at asc, order_id asc, order_submission_number asc
        ) as customer_version_rank
    from order_version_items
    where
        customer_id is not null
    group by
        submission_id,
        order_id,
        customer_id,
        customer_country_code,
        order_status,
        is_revenue,
        order_date,
        known_from_date,
        superseded_from_date,
        submitted_at,
        order_submission_number

),

version_category_revenue as (

    -- the net revenue of each non-cancelled version of a known customer's order, per item category
    select
        submission_id,
        item_category,
        sum(net_amount) as net_revenue
    from order_version_items
    where
        customer_id is not null
        and is_revenue
        and item_category is not null
    group by submission_id, item_category

),

known_orders as (

    -- each known customer's orders, in the version that was the latest known on the as-of date
    select
        as_of_dates.as_of_date,
        known_order_versions.customer_id,
        known_order_versions.order_id,
        known_order_versions.submission_id,
        known_order_versions.customer_country_code,
        known_order_versions.order_status,
        known_order_versions.item_quantity,
        known_order_versions.net_revenue,
        known_order_versions.is_revenue,
        known_order_versions.order_date,
        known_order_versions.submitted_at,
        -- the country on the customer's latest submission known on the as-of date, on each of its orders' rows: a
        -- window, not a join back to order_features, which PostgreSQL estimated at one row and ran as a nested loop
        first_value(known_order_versions.customer_country_code) over (
            partition by as_of_dates.as_of_date, known_order_versions.customer_id
            order by known_order_versions.customer_version_rank desc
        ) as latest_country_code,
        {{ dbt.datediff(
            'known_order_versions.order_date', 'as_of_dates.as_of_date', 'day'
        ) }} as days_before_as_of
    from as_of_dates
    inner join known_order_versions
        on
            as_of_dates.as_of_date >= known_order_versions.known_from_date
            and (
                known_order_versions.superseded_from_date is null
                or as_of_dates.as_of_date < known_order_versions.superseded_from_date
            )
    {% if is_incremental() %}
        -- only the customer-months to recompute: from a changed customer's first changed as-of date on, and
        -- every customer on an as-of date the table does not have yet
        left join changed_customers
            on known_order_versions.customer_id = changed_customers.customer_id
        where
            as_of_dates.as_of_date >= changed_customers.recompute_from_date
            or as_of_dates.as_of_date in (select new_as_of_dates.as_of_date from new_as_of_dates)
    {% endif %}

),

order_features as (

    select
        as_of_date,
        customer_id,

        -- recency and tenure
        min(days_before_as_of) as days_since_last_order,
        max(days_before_as_of) as days_since_first_order,

        -- frequency
        count(case when days_before_as_of <= 30 then 1 end) as order_count_30d,
        count(case when days_before_as_of <= 90 then 1 end) as order_count_90d,
        count(case when days_before_as_of <= 365 then 1 end) as order_count_365d,
        count(*) as order_count_lifetime,
        count(case when days_before_as_of > 90 and days_before_as_of <= 180 then 1 end)
            as order_count_prior_90d,

        -- monetary
        sum(case when days_before_as_of <= 30 then net_revenue else 0 end) as net_revenue_30d,
        sum(case when days_before_as_of <= 90 then net_revenue else 0 end) as net_revenue_90d,
        sum(case when days_before_as_of <= 365 then net_revenue else 0 end) as net_revenue_365d,
        sum(net_revenue) as net_revenue_lifetime,
        sum(case when days_before_as_of > 90 and days_before_as_of <= 180 then net_revenue else 0 end)
            as net_revenue_prior_90d,
        sum(net_revenue) / nullif(count(case when is_revenue then 1 end), 0) as average_order_value,
        avg(case when is_revenue then item_quantity end) as average_basket_size,

        -- order statuses
        cast(count(case when not is_revenue then 1 end) as {{ dbt.type_numeric() }}) / count(*)
            as cancelled_order_ratio,
        cast(count(case when order_status = 'returned' then 1 end) as {{ dbt.type_numeric() }}) / count(*)
            as returned_order_ratio,

        -- rhythm
        cast(max(days_before_as_of) - min(days_before_as_of) as {{ dbt.type_numeric() }})
        / nullif(count(*) - 1, 0) as mean_days_between_orders,

        -- the customer as known: every row of the group holds the same latest country
        max(latest_country_code) as country_code

    from known_orders
    group by as_of_date, customer_id

),

category_revenue as (

    select
        known_orders.as_of_date,
        known_orders.customer_id,
        version_category_revenue.item_category,
        sum(version_category_revenue.net_revenue) as net_revenue
    from known_orders
    inner join version_category_revenue
        on known_orders.submission_id = version_category_revenue.submission_id
    group by known_orders.as_of_date, known_orders.customer_id, version_category_revenue.item_category

),

category_features as (

    select
        as_of_date,
        customer_id,
        count(*) as distinct_category_count,
        max(net_revenue) / nullif(sum(net_revenue), 0) as top_category_revenue_share
    from category_revenue
    group by as_of_date, customer_id

),

final as (

    select
        -- ids
        order_features.customer_id,

        -- customer as known on the as-of date
        order_features.country_code,

        -- recency and tenure
        cast(order_features.days_since_last_order as integer) as days_since_last_order,
        cast(order_features.days_since_first_order as integer) as days_since_first_order,

        -- frequency
        cast(order_features.order_count_30d as integer) as order_count_30d,
        cast(order_features.order_count_90d as integer) as order_count_90d,
        cast(order_features.order_count_365d as integer) as order_count_365d,
        cast(order_features.order_count_lifetime as integer) as order_count_lifetime,
        cast(order_features.order_count_prior_90d as integer) as order_count_prior_90d,
        cast(order_features.order_count_90d - order_features.order_count_prior_90d as integer)
            as order_count_trend_90d,

        -- monetary
        order_features.net_revenue_30d,
        order_features.net_revenue_90d,
        order_features.net_revenue_365d,
        order_features.net_revenue_lifetime,
        order_features.net_revenue_prior_90d,
        order_features.net_revenue_90d - order_features.net_revenue_prior_90d as net_revenue_trend_90d,
        order_features.average_order_value,

        -- basket
        order_features.average_basket_size,
        cast(coalesce(category_features.distinct_category_count, 0) as integer) as distinct_category_count,
        category_features.top_category_revenue_share,

        -- order statuses and rhythm
        order_features.cancelled_order_ratio,
        order_features.returned_order_ratio,
        order_features.mean_days_between_orders,

        -- dates and timestamps
        order_features.as_of_date,
        {{ processed_at() }} as processed_at

    from order_features
    left join category_features
        on
            order_features.as_of_date = category_features.as_of_date
            and order_features.customer_id = category_features.customer_id

)

select * from final
