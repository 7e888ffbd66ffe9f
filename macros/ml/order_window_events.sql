{# The windows of the churn features: name -> [from, to) days before the as-of date (to none: no end). #}
{%- macro churn_feature_windows() -%}
    {{ return({'lifetime': [0, none], '30d': [0, 30], '90d': [0, 90], '365d': [0, 365], 'prior_90d': [90, 180]}) }}
{%- endmacro -%}

{#
    What a customer's known orders add to the running sums of the churn features: rows of (customer_id,
    event_date, one change per sum). `versions` holds one row per order version with a non-empty known range, its
    lines summed. A window of days [from, to) holds the known versions dated in [as_of_date - to,
    as_of_date - from): a version comes in to it on known_from_date + from and goes out on known_from_date + to,
    or on superseded_from_date when that comes first. So each version gives a row on known_from_date + each
    window bound before its superseded_from_date, and one on its superseded_from_date. The current versions
    (never superseded) also bring their order date and rank: the running extremes of every current version.
#}
{%- macro order_window_events(versions) -%}
    {%- set windows = churn_feature_windows() -%}
    {%- set bounds = windows.values() | map('list') | sum(start=[]) | reject('none') | unique | sort -%}
    {%- for bound in bounds + ['superseded'] %}
        {%- set event_date = 'superseded_from_date' if bound == 'superseded'
            else 'cast(' ~ dbt.dateadd('day', bound, 'known_from_date') ~ ' as date)' %}
        select
            customer_id,
            {{ event_date }} as event_date,
            {%- for window, days in windows.items() %}
                {%- if bound == 'superseded' %}
                    {#- out now when in before (from) and not out yet (to) -#}
                    {%- set is_open = 'cast(' ~ dbt.dateadd('day', days[0], 'known_from_date') ~ ' as date) < superseded_from_date'
                        ~ ('' if days[1] is none else ' and superseded_from_date <= cast('
                        ~ dbt.dateadd('day', days[1], 'known_from_date') ~ ' as date)') %}
                    case when {{ is_open }} then -1 else 0 end as order_count_{{ window }},
                    case when {{ is_open }} then -net_revenue else 0 end as net_revenue_{{ window }},
                {%- else %}
                    {%- set change = (1 if days[0] == bound else 0) - (1 if days[1] == bound else 0) %}
                    {{ change }} as order_count_{{ window }},
                    {{ change }} * net_revenue as net_revenue_{{ window }},
                {%- endif %}
            {%- endfor %}
            {%- set sign = '-1' if bound == 'superseded' else ('1' if bound == 0 else '0') %}
            {{ sign }} * case when is_revenue then 1 else 0 end as revenue_order_count,
            {{ sign }} * case when is_revenue then item_quantity else 0 end as revenue_item_quantity,
            {{ sign }} * case when order_status = 'returned' then 1 else 0 end as returned_order_count,
            {%- if bound == 0 %}
                case when superseded_from_date is null then order_date end as current_last_order_date,
                case when superseded_from_date is null then order_date end as current_first_order_date,
                case when superseded_from_date is null then customer_version_rank end as current_latest_rank
            {%- else %}
                cast(null as date) as current_last_order_date,
                cast(null as date) as current_first_order_date,
                cast(null as {{ dbt.type_int() }}) as current_latest_rank
            {%- endif %}
        from {{ versions }}
        where
            {%- if bound == 'superseded' %}
                superseded_from_date is not null
            {%- else %}
                superseded_from_date is null or {{ event_date }} < superseded_from_date
            {%- endif %}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro -%}
