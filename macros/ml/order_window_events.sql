{# The windows of the churn features: name -> [from, to) days before the as-of date (to none: no end). #}
{%- macro churn_feature_windows() -%}
    {{ return({'lifetime': [0, none], '30d': [0, 30], '90d': [0, 90], '365d': [0, 365], 'prior_90d': [90, 180]}) }}
{%- endmacro -%}

{#
    One row per version of `versions` (one row per order version with a non-empty known range) and window of
    churn_feature_windows: the as-of dates on which the version counts in the window, [entered_date, left_date).
    A window of days [from, to) holds the known versions dated in [as_of_date - to, as_of_date - from), so a
    version counts from known_from_date + from to the earlier of known_from_date + to and superseded_from_date.
#}
{%- macro order_version_windows(versions) -%}
    {%- for window, days in churn_feature_windows().items() %}
        {%- set ends_at = 'cast(' ~ dbt.dateadd('day', days[1], versions ~ '.known_from_date') ~ ' as date)' %}
        select
            {{ versions }}.*,
            '{{ window }}' as window_name,
            cast({{ dbt.dateadd('day', days[0], versions ~ '.known_from_date') }} as date) as entered_date,
            {% if days[1] is none -%}
                {{ versions }}.superseded_from_date
            {%- else -%}
                case
                    when {{ versions }}.superseded_from_date < {{ ends_at }} then {{ versions }}.superseded_from_date
                    else {{ ends_at }}
                end
            {%- endif %} as left_date
        from {{ versions }}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro -%}

{#
    What a customer's known orders add to the running sums of the churn features, one row per (customer_id,
    event_date): each version of `version_windows` (order_version_windows) comes in at entered_date and goes out
    at left_date. The current versions (never superseded) also carry their order date and rank in: the running
    extremes of those are the extremes of every current version known so far.
#}
{%- macro order_window_events(version_windows) -%}
    select
        customer_id,
        event_date,
        {%- for window in churn_feature_windows() %}
            sum(case when window_name = '{{ window }}' then direction else 0 end) as order_count_{{ window }},
            sum(case when window_name = '{{ window }}' then direction * net_revenue else 0 end)
                as net_revenue_{{ window }},
        {%- endfor %}
        sum(case when window_name = 'lifetime' and is_revenue then direction else 0 end) as revenue_order_count,
        sum(case when window_name = 'lifetime' and is_revenue then direction * item_quantity else 0 end)
            as revenue_item_quantity,
        sum(case when window_name = 'lifetime' and order_status = 'returned' then direction else 0 end)
            as returned_order_count,
        max(case when window_name = 'lifetime' and is_current then order_date end) as current_last_order_date,
        min(case when window_name = 'lifetime' and is_current then order_date end) as current_first_order_date,
        max(case when window_name = 'lifetime' and is_current then customer_version_rank end) as current_latest_rank
    from (
        select
            *,
            entered_date as event_date,
            1 as direction,
            superseded_from_date is null as is_current
        from {{ version_windows }}
        where left_date is null or entered_date < left_date
        union all
        select
            *,
            left_date as event_date,
            -1 as direction,
            false as is_current
        from {{ version_windows }}
        where entered_date < left_date
    ) as window_events
    group by customer_id, event_date
{%- endmacro -%}
