{#
    What a customer's known orders add, per item category, to the running sums of the churn features, one row per
    (customer_id, event_date): the changes of the number of categories with a line, the largest category's net
    revenue and the revenue of all categories. `lines` holds the lines of the non-cancelled versions with a
    non-empty known range and a category (customer_id, item_category, net_amount, known_from_date,
    superseded_from_date). A line comes in at known_from_date and goes out at superseded_from_date; each category's
    revenue is summed at every date one of the customer's categories changes, which gives the customer's state
    there, and the state's differences from one such date to the next are the changes.
#}
{%- macro category_state_events(lines) -%}
    {%- set category_line = 'partition by customer_id, item_category order by event_date rows between unbounded preceding and current row' -%}
    with category_changes as (
        select customer_id, item_category, event_date, sum(net_amount) as net_revenue, sum(line_count) as line_count
        from (
            select customer_id, item_category, known_from_date as event_date, net_amount, 1 as line_count
            from {{ lines }}
            union all
            select customer_id, item_category, superseded_from_date, -net_amount, -1
            from {{ lines }}
            where superseded_from_date is not null
        ) as line_events
        group by customer_id, item_category, event_date
    ),

    category_states as (
        -- every category the customer has had, at every date one of them changes
        select
            change_dates.customer_id,
            change_dates.event_date,
            customer_categories.item_category,
            coalesce(category_changes.net_revenue, 0) as net_revenue_change,
            coalesce(category_changes.line_count, 0) as line_count_change
        from (select distinct customer_id, event_date from category_changes) as change_dates
        inner join (
            select customer_id, item_category, min(event_date) as first_date
            from category_changes
            group by customer_id, item_category
        ) as customer_categories
            on
                change_dates.customer_id = customer_categories.customer_id
                and change_dates.event_date >= customer_categories.first_date
        left join category_changes
            on
                change_dates.customer_id = category_changes.customer_id
                and change_dates.event_date = category_changes.event_date
                and customer_categories.item_category = category_changes.item_category
    ),

    customer_states as (
        select
            customer_id,
            event_date,
            count(case when line_count > 0 then 1 end) as distinct_category_count,
            max(net_revenue) as top_category_revenue,
            sum(net_revenue) as category_revenue
        from (
            select
                customer_id,
                event_date,
                sum(net_revenue_change) over ({{ category_line }}) as net_revenue,
                sum(line_count_change) over ({{ category_line }}) as line_count
            from category_states
        ) as category_totals
        group by customer_id, event_date
    )

    select
        customer_id,
        event_date,
        distinct_category_count - coalesce(lag(distinct_category_count) over customer_line, 0)
            as distinct_category_count,
        top_category_revenue - coalesce(lag(top_category_revenue) over customer_line, 0) as top_category_revenue,
        category_revenue - coalesce(lag(category_revenue) over customer_line, 0) as category_revenue
    from customer_states
    window customer_line as (partition by customer_id order by event_date)
{%- endmacro -%}
