{#
    The incremental revenue summaries (models/marts/reporting/). A summary row aggregates the revenue lines of
    one group (rpt_daily_revenue: day, store and category; rpt_monthly_revenue_by_customer_country: month,
    customer country and category), and an incremental run recomputes whole the groups whose lines may have
    changed since its last run: every group a changed line is in now, and every group it may have been in at
    the last run. The summary cannot tell the second kind itself (a group does not know which orders it holds),
    so the earlier values are found upstream, where every one of them is still known:
    - an order rewritten since then (int_order_items_priced stamps its lines) may have left its day, store,
      customer, status or lines: every version of the order (int_order_version_items_priced holds every
      interpretable submission, and the one that was winning at the last run is one of them, since orders
      never leave and a submission once interpretable stays so) gives the groups it may have been in;
    - an item whose category changed is in another group with all of its lines, the unchanged orders' too.
      dim_items stamps a member only when an attribute changes; the item's category at the last run was the
      category of one of its lines as submitted (int_items takes the latest winning line's), so an item
      stamped since then whose versions' lines show no other category than its current one has not moved,
      and one that shows others is recomputed under every category its lines ever showed;
    - the same for a customer's country (the monthly summary groups by the customer's current country, as
      int_customers has it): dim_customers' stamp, and the countries of the customer's versions.
    The lines of the items and customers that moved are found by a scan of the priced lines: a recategorized
    best-selling item touches most groups, and its run recomputes them, at about the cost of a full build (the
    result stays exact); past max_moved_members() moved members the run recomputes everything outright.
#}

{#
    What this run of a summary recomputes, read when the model is compiled: none on a full build; else a dict
    with recompute_all (true when the table has no processed_at stamps yet, having been built when the summary
    was a plain table, or when the dimension changes touch too much) and the members whose group moved, written
    into the SQL as literals: recategorized_skus, and with `customers` moved_customer_ids. Literals, not
    subqueries, for the reason latest_stamp gives: PostgreSQL then plans the usual run (no member moved) for a
    few thousand lines, where a join to a subquery it cannot estimate made it expect millions and spend seconds
    compiling the statement (JIT) for them. More than max_moved_members() moved members (a category renamed, a
    country spelling remapped) touch most groups anyway: the run then recomputes everything, cheaper than
    finding the groups.
#}
{%- macro revenue_summary_changes(customers=false) -%}
    {%- if not is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if 'processed_at' not in adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
        {{ return({'recompute_all': true}) }}
    {%- endif -%}
    {%- set recategorized_query -%}
        select distinct changed_items.sku
        from {{ ref('dim_items') }} as changed_items
        inner join {{ ref('int_order_version_items_priced') }} as versions
            on changed_items.sku = versions.sku
        where
            changed_items.processed_at > {{ processed_at_watermark() }}
            and {{ label_missing('versions.item_category') }} != changed_items.category
    {%- endset -%}
    {%- set skus = run_query(recategorized_query).columns[0].values() | list -%}
    {%- set customer_ids = [] -%}
    {%- if customers -%}
        {%- set moved_query -%}
            select distinct changed_customers.customer_id
            from {{ ref('dim_customers') }} as changed_customers
            inner join {{ ref('int_order_version_items_priced') }} as versions
                on changed_customers.customer_id = versions.customer_id
            where
                changed_customers.processed_at > {{ processed_at_watermark() }}
                and versions.customer_country_code is distinct from changed_customers.country_code
        {%- endset -%}
        {%- set customer_ids = run_query(moved_query).columns[0].values() | list -%}
    {%- endif -%}
    {{ return({
        'recompute_all': skus | length + customer_ids | length > max_moved_members(),
        'recategorized_skus': skus,
        'moved_customer_ids': customer_ids,
    }) }}
{%- endmacro -%}

{# The most moved items and customers a summary's run finds the groups of (revenue_summary_changes). #}
{%- macro max_moved_members() -%}
    {{ return(1000) }}
{%- endmacro -%}

{# `values` as a SQL list of text literals, for an IN condition. #}
{%- macro text_literal_list(values) -%}
    {%- for value in values -%}
        '{{ value | replace("'", "''") }}'{{ ', ' if not loop.last }}
    {%- endfor -%}
{%- endmacro -%}

{#
    Whether this run of a summary recomputes only its changed groups (changes: revenue_summary_changes).
#}
{%- macro recomputes_changed_groups(changes) -%}
    {{ return(changes is not none and not changes.recompute_all) }}
{%- endmacro -%}

{#
    The CTEs shared by both summaries' changed groups (each ends with a comma): the orders rewritten since this
    model's last run, their versions, and every category a line's item may have had at the last run or has now
    (line_categories: one row per sku and category; the recategorized items' every category on a version line).
#}
{%- macro revenue_summary_changed_lines(changes) -%}
    changed_orders as (

        select distinct priced.order_id from {{ ref('int_order_items_priced') }} as priced
        where priced.processed_at > {{ processed_at_watermark() }}

    ),

    earlier_versions as (

        select versions.*
        from {{ ref('int_order_version_items_priced') }} as versions
        inner join changed_orders
            on versions.order_id = changed_orders.order_id

    ),

    line_categories as (

        select items.sku, {{ label_missing('items.category') }} as category from {{ ref('int_items') }} as items
        {%- if changes.recategorized_skus %}
            union
            select versions.sku, {{ label_missing('versions.item_category') }} as category
            from {{ ref('int_order_version_items_priced') }} as versions
            where versions.sku in ({{ text_literal_list(changes.recategorized_skus) }})
        {%- endif %}

    ),
{%- endmacro -%}

{#
    The groups of rpt_daily_revenue an incremental run recomputes (changes: revenue_summary_changes), as a query
    of (order_date, store_id, category). store_id is NULL for the groups of an order's versions, which do not
    record their store: the day and category then recompute for every store (the earlier versions of a
    rewritten order are mostly on its current day, which its current lines recompute anyway).
#}
{%- macro daily_revenue_changed_groups(changes) -%}
    with

    {{ revenue_summary_changed_lines(changes) }}

    changed_lines as (

        select priced.order_date, priced.store_id, priced.sku
        from {{ ref('int_order_items_priced') }} as priced
        where priced.processed_at > {{ processed_at_watermark() }}
        {%- if changes.recategorized_skus %}
            union all
            select priced.order_date, priced.store_id, priced.sku
            from {{ ref('int_order_items_priced') }} as priced
            where priced.sku in ({{ text_literal_list(changes.recategorized_skus) }})
        {%- endif %}
        union all
        select earlier_versions.order_date, cast(null as {{ dbt.type_string() }}) as store_id, earlier_versions.sku
        from earlier_versions

    )

    select distinct changed_lines.order_date, changed_lines.store_id, line_categories.category
    from changed_lines
    inner join line_categories
        on changed_lines.sku = line_categories.sku
{%- endmacro -%}

{#
    The groups of rpt_monthly_revenue_by_customer_country an incremental run recomputes (changes:
    revenue_summary_changes), as a query of (monthly_revenue_key, month_start_date): the groups of the changed
    lines (revenue_summary_changed_lines), and every group of the customers whose country may have changed,
    under every country their versions ever showed and their current one.
#}
{%- macro monthly_revenue_changed_groups(changes) -%}
    with

    {{ revenue_summary_changed_lines(changes) }}

    changed_lines as (

        select priced.order_date, priced.customer_id, priced.sku
        from {{ ref('int_order_items_priced') }} as priced
        where priced.processed_at > {{ processed_at_watermark() }}
        {%- if changes.recategorized_skus %}
            union all
            select priced.order_date, priced.customer_id, priced.sku
            from {{ ref('int_order_items_priced') }} as priced
            where priced.sku in ({{ text_literal_list(changes.recategorized_skus) }})
        {%- endif %}
        {%- if changes.moved_customer_ids %}
            union all
            select priced.order_date, priced.customer_id, priced.sku
            from {{ ref('int_order_items_priced') }} as priced
            where priced.customer_id in ({{ text_literal_list(changes.moved_customer_ids) }})
        {%- endif %}
        union all
        select earlier_versions.order_date, earlier_versions.customer_id, earlier_versions.sku
        from earlier_versions

    ),

    customer_countries as (

        select customers.customer_id, customers.country_code from {{ ref('int_customers') }} as customers
        inner join (select distinct changed_lines.customer_id from changed_lines) as line_customers
            on customers.customer_id = line_customers.customer_id
        {%- if changes.moved_customer_ids %}
            union
            select versions.customer_id, versions.customer_country_code as country_code
            from {{ ref('int_order_version_items_priced') }} as versions
            where versions.customer_id in ({{ text_literal_list(changes.moved_customer_ids) }})
        {%- endif %}

    ),

    changed_groups as (

        select distinct
            cast({{ dbt.date_trunc('month', 'changed_lines.order_date') }} as date) as month_start_date,
            customer_countries.country_code as customer_country_code,
            line_categories.category
        from changed_lines
        inner join line_categories
            on changed_lines.sku = line_categories.sku
        -- guest orders (no customer) and customers unknown to int_customers have no country
        left join customer_countries
            on changed_lines.customer_id = customer_countries.customer_id

    )

    select
        {{ generate_surrogate_key(['month_start_date', 'customer_country_code', 'category']) }}
            as monthly_revenue_key,
        month_start_date
    from changed_groups
{%- endmacro -%}

{#
    Pre-hooks of the summaries: on a run that recomputes only the changed groups, delete their rows (a group
    left by its last line is not written again, so the insert alone would keep it); on an incremental run
    that recomputes everything (revenue_summary_changes), every row. Nothing on a full build.
#}
{%- macro delete_daily_revenue_changed_groups() -%}
    {%- set changes = revenue_summary_changes() -%}
    {%- if recomputes_changed_groups(changes) -%}
        delete from {{ this }}
        using ({{ daily_revenue_changed_groups(changes) }}) as changed_groups
        where
            {{ this.identifier }}.order_date = changed_groups.order_date
            and {{ this.identifier }}.category = changed_groups.category
            and (changed_groups.store_id is null or {{ this.identifier }}.store_id = changed_groups.store_id)
    {%- elif changes is not none -%}
        delete from {{ this }}
    {%- endif -%}
{%- endmacro -%}

{%- macro delete_monthly_revenue_changed_groups() -%}
    {%- set changes = revenue_summary_changes(customers=true) -%}
    {%- if recomputes_changed_groups(changes) -%}
        delete from {{ this }}
        using ({{ monthly_revenue_changed_groups(changes) }}) as changed_groups
        where {{ this.identifier }}.monthly_revenue_key = changed_groups.monthly_revenue_key
    {%- elif changes is not none -%}
        delete from {{ this }}
    {%- endif -%}
{%- endmacro -%}
