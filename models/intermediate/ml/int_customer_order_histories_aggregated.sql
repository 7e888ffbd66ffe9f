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

customer_order_versions as (

    -- each version of a known customer's order, its lines summed once, and its rank among the customer's
    -- versions in submission order
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

),

known_versions as (

    -- the versions known on some as-of date (a version followed by another the same day never is)
    select * from customer_order_versions
    where superseded_from_date is null or superseded_from_date > known_from_date

),

history_rows as (

    -- the rows to compute: each customer's as-of dates from their first known version on
    select
        first_versions.customer_id,
        as_of_dates.as_of_date
    from (
        select customer_id, min(known_from_date) as first_known_date from known_versions group by customer_id
    ) as first_versions
    inner join as_of_dates on first_versions.first_known_date <= as_of_dates.as_of_date
    {% if is_incremental() %}
        left join changed_customers on first_versions.customer_id = changed_customers.customer_id
        where
            as_of_dates.as_of_date >= changed_customers.recompute_from_date
            or as_of_dates.as_of_date in (select new_as_of_dates.as_of_date from new_as_of_dates)
    {% endif %}

),

version_windows as (

    {{ order_version_windows('known_versions') }}

),

order_events as (

    {{ order_window_events('version_windows') }}

),

known_category_lines as (

    select * from order_version_items
    where
        is_revenue
        and item_category is not null
        and (superseded_from_date is null or superseded_from_date > known_from_date)

),

category_events as (

    {{ category_state_events('known_category_lines') }}

),

time_line as (

    -- each customer's changes and as-of dates on one time line (a change counts on its own date)
    {%- set sums = [
        'order_count_lifetime', 'order_count_30d', 'order_count_90d', 'order_count_365d', 'order_count_prior_90d',
        'net_revenue_lifetime', 'net_revenue_30d', 'net_revenue_90d', 'net_revenue_365d', 'net_revenue_prior_90d',
        'revenue_order_count', 'revenue_item_quantity', 'returned_order_count',
    ] %}
    {%- set extremes = ['current_last_order_date', 'current_first_order_date', 'current_latest_rank'] %}
    {%- set category_sums = ['distinct_category_count', 'top_category_revenue', 'category_revenue'] %}
    select
        customer_id, event_date, 0 as is_as_of_date, {{ (sums + extremes) | join(', ') }},
        {%- for column in category_sums %} 0 as {{ column }}{{ ',' if not loop.last }}{% endfor %}
    from order_events
    union all
    select
        customer_id, event_date, 0,
        {%- for column in sums %} 0,{% endfor %}
        {%- for column in extremes %} null,{% endfor %} {{ category_sums | join(', ') }}
    from category_events
    union all
    select
        customer_id, as_of_date, 1,
        {%- for column in sums + extremes + category_sums %} {{ 'null' if column in extremes else 0 }}{{ ',' if not loop.last }}{% endfor %}
    from history_rows

),

running_sums as (

    select
        customer_id,
        event_date as as_of_date,
        {%- for column in sums + category_sums %}
            sum({{ column }}) over customer_line as {{ column }},
        {%- endfor %}
        max(current_last_order_date) over customer_line as current_last_order_date,
        min(current_first_order_date) over customer_line as current_first_order_date,
        max(current_latest_rank) over customer_line as current_latest_rank,
        is_as_of_date
    from time_line
    window customer_line as (
        partition by customer_id order by event_date, is_as_of_date rows between unbounded preceding and current row
    )

),

superseded_known_versions as (

    -- the superseded versions known on each as-of date: few, and known for a few days each
    select
        history_rows.customer_id,
        history_rows.as_of_date,
        max(superseded.order_date) as last_order_date,
        min(superseded.order_date) as first_order_date,
        max(superseded.customer_version_rank) as latest_rank
    from known_versions as superseded
    inner join history_rows
        on
            superseded.customer_id = history_rows.customer_id
            and superseded.known_from_date <= history_rows.as_of_date
            and history_rows.as_of_date < superseded.superseded_from_date
    where superseded.superseded_from_date is not null
    group by history_rows.customer_id, history_rows.as_of_date

),

known_histories as (

    select
        running_sums.*,
        {{ later_of('running_sums.current_last_order_date', 'superseded_known_versions.last_order_date') }}
            as last_order_date,
        {{ earlier_of('running_sums.current_first_order_date', 'superseded_known_versions.first_order_date') }}
            as first_order_date,
        {{ later_of('running_sums.current_latest_rank', 'superseded_known_versions.latest_rank') }} as latest_rank
    from running_sums
    left join superseded_known_versions
        on
            running_sums.customer_id = superseded_known_versions.customer_id
            and running_sums.as_of_date = superseded_known_versions.as_of_date
    where running_sums.is_as_of_date = 1 and running_sums.order_count_lifetime > 0

),

final as (

    select
        -- ids
        known_histories.customer_id,

        -- customer as known: the country on their latest submission known on the as-of date
        latest_versions.customer_country_code as country_code,

        -- recency and tenure
        cast({{ dbt.datediff('known_histories.last_order_date', 'known_histories.as_of_date', 'day') }} as integer)
            as days_since_last_order,
        cast({{ dbt.datediff('known_histories.first_order_date', 'known_histories.as_of_date', 'day') }} as integer)
            as days_since_first_order,

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
    inner join known_versions as latest_versions
        on
            known_histories.customer_id = latest_versions.customer_id
            and known_histories.latest_rank = latest_versions.customer_version_rank

)

select * from final
