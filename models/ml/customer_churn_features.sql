{#
    The churn feature table: one row per (known customer, as-of date) for every customer who had ordered
    before the as-of date. Features come from int_customer_order_histories_aggregated and use only what was
    known before the as-of date (each order's latest version submitted strictly before it). The label uses
    the orders' current state: churned when no non-cancelled order has an order date in
    [as_of_date, as_of_date + var('churn_label_window_days') days). It is NULL (is_label_censored) when that
    window ends after the last order date of the data. split is a fixed function of as_of_date.
    Incremental: a run recomputes the rows its parent (re)computed since its last run; the rows whose label a
    new or corrected order may change (a customer on a version of an order rewritten since the last run, as-of
    dates from the earliest order date of the order's versions minus the label window on: the label reads the
    orders' current state, so a correction of an old order changes old labels); and the rows whose censoring flips
    because the data's last order date moved: censored before and labelled now, or the reverse. A row is
    censored exactly when its as-of date is later than (last order date - window), so the censored rows of the
    last run are those from its earliest censored as-of date on. The pre-hooks delete the rows its parent no
    longer has: of the customers the parent may have deleted rows of (delete_customer_as_of_dates_missing_from),
    and dated outside the parent's as-of dates.
#}

{{ config(
    materialized='incremental',
    unique_key=['customer_id', 'as_of_date'],
    incremental_strategy=target_incremental_strategy('delete+insert'),
    on_schema_change='fail',
    indexes=[
        {'columns': ['processed_at']},
        {'columns': ['is_label_censored', 'as_of_date']},
    ],
    pre_hook=[
        "{{ delete_customer_as_of_dates_missing_from(
            ref('int_customer_order_histories_aggregated'), ref('int_order_version_items_priced')
        ) }}",
        "{{ delete_as_of_dates_outside(ref('int_customer_order_histories_aggregated')) }}",
    ],
) }}

{%- set label_window_days = var('churn_label_window_days') | int %}

{#-
    The parent tables are named in each branch instead of through import CTEs: PostgreSQL materializes a CTE
    named more than once, a copy of the whole table that no index reaches.
#}
{%- set histories = ref('int_customer_order_histories_aggregated') %}
{%- set orders = ref('int_orders') %}

with

data_bounds as (

    select
        max(order_date) as last_order_date,
        -- the last as-of date whose label window ends on or before the last order date (not censored)
        cast({{ dbt.dateadd('day', -label_window_days, 'max(order_date)') }} as date) as last_labelled_as_of_date
    from {{ orders }}

),

{% if is_incremental() %}
    relabelled_customers as (

        -- the customers on a version of an order rewritten since the last run, and the first as-of date whose
        -- label window reaches one of the order's order dates (its current and its earlier ones)
        select
            changed_customers.customer_id,
            {{ dbt.dateadd('day', -label_window_days, 'changed_customers.first_order_date') }} as relabel_from_date
        from (
            {{ rewritten_order_customers(
                ref('int_order_version_items_priced'),
                {'first_order_date': 'order_date'},
                'first_order_date',
                'first_order_date',
            ) }}
        ) as changed_customers

    ),

    censoring_bounds as (

        -- the earliest as-of date the last run censored (none censored: a date after every as-of date), the first
        -- entry of the index on (is_label_censored, as_of_date)
        select
            coalesce(
                min(existing_rows.as_of_date), cast('9999-12-31' as date)
            ) as first_censored_as_of_date
        from {{ this }} as existing_rows
        where existing_rows.is_label_censored

    ),
{% endif %}

customer_histories as (

    {% if is_incremental() %}
        -- one branch per reason, each read through one of the parent's indexes (an OR of them reads it all)
        -- recomputed upstream since the last run
        select all_customer_histories.* from {{ histories }} as all_customer_histories
        where all_customer_histories.processed_at > {{ processed_at_watermark() }}

        union

        -- a label a new or corrected order may change
        select all_customer_histories.* from {{ histories }} as all_customer_histories
        inner join relabelled_customers
            on
                all_customer_histories.customer_id = relabelled_customers.customer_id
                and all_customer_histories.as_of_date >= relabelled_customers.relabel_from_date

        union

        -- censored by the last run, labelled now (the bounds as scalar subqueries and dates, both of which the
        -- as_of_date index can serve: dateadd gives a timestamp on some engines)
        select all_customer_histories.* from {{ histories }} as all_customer_histories
        where
            all_customer_histories.as_of_date
            >= (select censoring_bounds.first_censored_as_of_date from censoring_bounds)
            and all_customer_histories.as_of_date <= (select data_bounds.last_labelled_as_of_date from data_bounds)

        union

        -- labelled by the last run, censored now (the last order date moved back)
        select all_customer_histories.* from {{ histories }} as all_customer_histories
        where
            all_customer_histories.as_of_date
            < (select censoring_bounds.first_censored_as_of_date from censoring_bounds)
            and all_customer_histories.as_of_date > (select data_bounds.last_labelled_as_of_date from data_bounds)
    {% else %}
        select * from {{ histories }}
    {% endif %}

),

{% if is_incremental() %}
    recomputed_customers as (

        -- the customers recomputed, and their first as-of date recomputed
        select
            customer_id,
            min(as_of_date) as first_as_of_date
        from customer_histories
        group by customer_id

    ),
{% endif %}

customer_revenue_orders as (

    select
        revenue_orders.customer_id,
        revenue_orders.order_date
    from {{ orders }} as revenue_orders
    {% if is_incremental() %}
        -- only the time lines of the customers recomputed, from their first as-of date recomputed (an earlier
        -- order is no as-of date's next order): a day's censoring boundary relabels every customer's latest
        -- months, and reads their orders of those months (the index on (customer_id, order_date)), not all
        inner join recomputed_customers
            on
                revenue_orders.customer_id = recomputed_customers.customer_id
                and revenue_orders.order_date >= recomputed_customers.first_as_of_date
    {% endif %}
    where
        revenue_orders.customer_id is not null
        and {{ is_revenue_order_status('revenue_orders.order_status') }}

),

customer_timelines as (

    -- each customer's as-of dates and revenue order dates on one time line
    select
        customer_id,
        as_of_date as event_date,
        0 as event_rank,
        cast(null as date) as order_date
    from customer_histories

    union all

    select
        customer_id,
        order_date as event_date,
        1 as event_rank,
        order_date
    from customer_revenue_orders

),

next_orders as (

    -- walking each time line backwards, the earliest order date on or after each as-of date (an order of
    -- the as-of day itself is met before the as-of date: it falls in the label window)
    select
        customer_id,
        event_date as as_of_date,
        event_rank,
        min(order_date) over (
            partition by customer_id
            order by event_date desc, event_rank desc
            rows between unbounded preceding and current row
        ) as next_order_date
    from customer_timelines

),

labelled as (

    -- no order in the label window when the next order comes on or after its end, or never
    select
        customer_histories.*,
        coalesce(
            next_orders.next_order_date
            >= {{ dbt.dateadd('day', label_window_days, 'customer_histories.as_of_date') }},
            true
        ) as has_no_order_in_label_window,
        {{ dbt.dateadd('day', label_window_days, 'customer_histories.as_of_date') }}
        > data_bounds.last_order_date as is_label_censored
    from customer_histories
    cross join data_bounds
    inner join next_orders
        on
            customer_histories.customer_id = next_orders.customer_id
            and customer_histories.as_of_date = next_orders.as_of_date
            and next_orders.event_rank = 0

),

final as (

    select
        -- ids
        customer_id,

        -- strings
        country_code,
        case
            when as_of_date < cast('{{ var("churn_validation_start_date") }}' as date) then 'train'
            when as_of_date < cast('{{ var("churn_test_start_date") }}' as date) then 'validation'
            else 'test'
        end as split,

        -- recency and tenure
        days_since_last_order,
        days_since_first_order,

        -- frequency
        order_count_30d,
        order_count_90d,
        order_count_365d,
        order_count_lifetime,
        order_count_prior_90d,
        order_count_trend_90d,

        -- monetary
        net_revenue_30d,
        net_revenue_90d,
        net_revenue_365d,
        net_revenue_lifetime,
        net_revenue_prior_90d,
        net_revenue_trend_90d,
        average_order_value,

        -- basket
        average_basket_size,
        distinct_category_count,
        top_category_revenue_share,

        -- order statuses and rhythm
        cancelled_order_ratio,
        returned_order_ratio,
        mean_days_between_orders,

        -- label
        case when not is_label_censored then has_no_order_in_label_window end as churned,
        is_label_censored,

        -- dates and timestamps
        as_of_date,
        {{ processed_at() }} as processed_at

    from labelled

)

select * from final
{% if not is_incremental() -%}
    -- a full build stores each as-of date's rows together, as the daily runs write them (every customer's row of a
    -- new month at once): the run that relabels a month when the censoring boundary passes it then rewrites a few
    -- thousand pages, not one page per customer
    order by as_of_date
{%- endif %}
