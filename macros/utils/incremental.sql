{#
    Incremental builds. Every incremental model stamps the rows it (re)computes with processed_at, the
    start time of the dbt invocation that computed them. A model downstream processes the rows of its
    parent stamped after its own latest stamp ("the watermark"): what the new export touched. A failed
    run leaves the watermark where it was, so the next run picks up everything it missed.
#}

{# The start of this dbt invocation, as a timestamp literal (UTC). #}
{%- macro processed_at() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
{%- endmacro -%}

{# The latest processed_at of the model being built (a timestamp far in the past when it is empty). #}
{%- macro processed_at_watermark() -%}
    {{ latest_stamp('processed_at') }}
{%- endmacro -%}

{#
    The latest value of the timestamp `column` in the model being built (or in `relation`, and only among the values
    up to the timestamp SQL `at_most` when given), read when the model is compiled and
    written into its SQL as a literal (1900-01-01 when the model is empty). A literal, not a subquery: the planner
    then estimates `processed_at > <watermark>` from the column's statistics (a few rows of a million) instead of
    guessing a third of the table, and picks index scans and hash joins sized for the increment. The value cannot
    move before the model's statement runs: nothing else writes the model during its own build, and its
    pre-hooks' deletions must read the watermark of the last run too. A table without the column yet (built before
    it had one) has no watermark: everything is new.
#}
{%- macro latest_stamp(column, relation=none, at_most=none) -%}
    {%- set relation = relation if relation is not none else this -%}
    {%- set latest = none -%}
    {#- A table built before it had the column (on_schema_change adds it in this run): everything is new. -#}
    {%- if execute and column in adapter.get_columns_in_relation(relation) | map(attribute='name') | list -%}
        {%- set result = run_query(
            'select max(' ~ column ~ ') from ' ~ relation
            ~ (' where ' ~ column ~ ' <= ' ~ at_most if at_most is not none else '')
        ) -%}
        {%- set latest = result.columns[0].values()[0] -%}
    {%- endif -%}
    {%- if latest is none -%}
        cast('1900-01-01' as {{ dbt.type_timestamp() }})
    {%- elif latest is string -%}
        cast('{{ latest }}' as {{ dbt.type_timestamp() }})
    {%- else -%}
        cast('{{ latest.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
    {%- endif -%}
{%- endmacro -%}

{#
    The rows of `relation` (a CTE of a dimension's new state, one row per member) that an incremental run must
    write: the new members, and those whose `columns` differ from the member's row in the table. A member a run
    touched but left unchanged keeps its row and its processed_at, so processed_at says when the member last
    changed, and what reads the dimension's stamped rows (the One Big Table) rewrites only what changed.
    The whole relation on a full build.
#}
{%- macro changed_members(relation, key, columns) -%}
    select {{ relation }}.* from {{ relation }}
    {%- if is_incremental() %}
        where not exists (
            select 1 from {{ this }} as existing_members
            where
                existing_members.{{ key }} = {{ relation }}.{{ key }}
                {%- for column in columns %}
                    and existing_members.{{ column }} is not distinct from {{ relation }}.{{ column }}
                {%- endfor %}
        )
    {%- endif %}
{%- endmacro -%}

{#
    The customer-months a point-in-time model (one row per customer and as-of date) recomputes on an incremental
    run, as a query of (customer_id, recompute_from_date): every customer on a version of an order whose versions
    `versions_relation` rewrote since this model's watermark, from the earliest as-of date on which one of those
    orders' versions changed. A version loaded since the watermark (a new submission) is known from its
    known_from_date on, and the versions before it change only from then (their superseded_from_date moves to it
    or later); the as-of dates before saw none of it. An order rewritten without a newly loaded version (say, a
    quarantined resubmission) is recomputed from its earliest version's known_from_date. A customer who lost an
    order to another customer is on the order's earlier versions, so both are recomputed.
#}
{%- macro changed_customer_as_of_dates(versions_relation) -%}
    {%- set version_dates = {
        'first_loaded_known_from_date':
            "case when loaded_at is null or " ~ utc_to_local('loaded_at', "'UTC'") ~ " > "
            ~ processed_at_watermark() ~ " then known_from_date end",
        'first_known_from_date': 'known_from_date',
    } -%}
    {{ rewritten_order_customers(
        versions_relation,
        version_dates,
        'coalesce(first_loaded_known_from_date, first_known_from_date)',
        'recompute_from_date'
    ) }}
{%- endmacro -%}

{#
    The customers on a version of an order whose versions `versions_relation` rewrote since this model's
    watermark, as a query of (customer_id, `as_name`): per customer, the least over its rewritten orders of
    `order_date_expression`, an expression over the dates of `version_dates` (name: an expression of a version
    row), each the earliest over all the order's rewritten versions (its current and its earlier ones, so a
    customer who lost the order is there too). Rewritten: stamped after `watermark` (SQL; default this model's
    processed_at_watermark).
    One pass over the rewritten versions: the dates are taken per order and customer, then per order with a
    window, never by joining the rewritten versions to themselves. Their count is estimated from statistics
    taken before the parent's run wrote them (a row or so), and a self-join planned for that ran as a nested
    loop over every pair of rewritten versions (11,000 x 30,000 rows at a million orders: 35 s in a pre-hook).
#}
{%- macro rewritten_order_customers(versions_relation, version_dates, order_date_expression, as_name, watermark=none) -%}
    select
        order_customers.customer_id,
        min({{ order_date_expression }}) as {{ as_name }}
    from (
        select
            order_customer_dates.customer_id
            {%- for name in version_dates %},
                min(order_customer_dates.{{ name }}) over (partition by order_customer_dates.order_id) as {{ name }}
            {%- endfor %}
        from (
            select
                order_id,
                customer_id
                {%- for name, expression in version_dates.items() %},
                    min({{ expression }}) as {{ name }}
                {%- endfor %}
            from {{ versions_relation }}
            where processed_at > {{ watermark if watermark is not none else processed_at_watermark() }}
            group by order_id, customer_id
        ) as order_customer_dates
    ) as order_customers
    where order_customers.customer_id is not null
    group by order_customers.customer_id
{%- endmacro -%}

{#
    Pre-hooks of an incremental point-in-time model: on an incremental run, delete the rows of the customer-months
    it recomputes (changed_customer_as_of_dates: so a customer who lost an order loses the rows it gave; a join,
    not an IN list, which PostgreSQL scans row by row when it expects it large), and every row whose as-of date is
    outside `as_of_dates_relation`. Nothing on a full build.
#}
{%- macro delete_changed_customer_as_of_dates(versions_relation) -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        using ({{ changed_customer_as_of_dates(versions_relation) }}) as changed_customers
        where
            {{ this.identifier }}.customer_id = changed_customers.customer_id
            and {{ this.identifier }}.as_of_date >= changed_customers.recompute_from_date
    {%- endif -%}
{%- endmacro -%}

{#
    The bounds of both relations are read when the pre-hook runs (the as-of dates are built before; min and max
    come from the indexes): no row is outside (the usual case), no statement; else the delete compares with the
    bounds as literals, as latest_stamp does. Compared with subqueries, PostgreSQL guesses a third of the table
    for each side and reads all of it (4 million rows at a million orders, 1 to 3 s, to delete none); without
    statistics on the table yet (right after a full build), literals do not help either. No as-of date: nothing
    is deleted (comparing with NULL deletes nothing either).
#}
{%- macro delete_as_of_dates_outside(as_of_dates_relation) -%}
    {%- if is_incremental() and execute -%}
        {%- set bounds = run_query(
            'select min(as_of_date), max(as_of_date) from ' ~ as_of_dates_relation
        ).rows[0] -%}
        {%- set existing = run_query('select min(as_of_date), max(as_of_date) from ' ~ this).rows[0] -%}
        {%- if bounds[0] is not none and existing[0] is not none
            and (existing[0] < bounds[0] or existing[1] > bounds[1]) -%}
            delete from {{ this }}
            where
                as_of_date < cast('{{ bounds[0] }}' as date)
                or as_of_date > cast('{{ bounds[1] }}' as date)
        {%- endif -%}
    {%- endif -%}
{%- endmacro -%}

{#
    Pre-hook of an incremental point-in-time model that mirrors its parent row for row (one row per customer and
    as-of date) when the parent is built with delete_changed_customer_as_of_dates from `versions_relation`: on an
    incremental run, delete the rows the parent no longer has, probing by index only the customer-months whose
    parent rows may have been deleted since this model's last run (not an anti-join of the whole table).
    The parent deletes the rows of the customers on the versions stamped after its own watermark, from a date no
    earlier than the least known_from_date of their rewritten orders' versions, and writes again those still
    there, stamped after this model's watermark. So a row can go missing only for a customer with a parent row
    stamped after this model's watermark (all its rows are probed), or on a version stamped after the parent's
    watermark at one of its runs since, from that least known_from_date on; that watermark is at least the
    parent's latest stamp up to this model's watermark (such a row was there then), read at compile time and
    written as a literal, as processed_at_watermark is. A daily export's new orders are known from recent dates
    only: their customers' recent months are probed, not their whole histories (at a million orders, 185,000
    probes to delete none). A full refresh of the parent stamps every row: every customer is probed.
    The rows dated outside the parent's as-of dates are delete_as_of_dates_outside's. Nothing on a full build.
#}
{%- macro delete_customer_as_of_dates_missing_from(parent_relation, versions_relation) -%}
    {%- if is_incremental() -%}
        {%- set parent_watermark = latest_stamp('processed_at', parent_relation, processed_at_watermark()) %}
        delete from {{ this }}
        using (
            select
                probed_customers.customer_id,
                min(probed_customers.probe_from_date) as probe_from_date
            from (
                select
                    parent.customer_id,
                    cast('0001-01-01' as date) as probe_from_date
                from {{ parent_relation }} as parent
                where parent.processed_at > {{ processed_at_watermark() }}
                union all
                {{ rewritten_order_customers(
                    versions_relation,
                    {'first_known_from_date': 'known_from_date'},
                    'first_known_from_date',
                    'probe_from_date',
                    parent_watermark,
                ) }}
            ) as probed_customers
            group by probed_customers.customer_id
        ) as rewritten_customers
        where
            {{ this.identifier }}.customer_id = rewritten_customers.customer_id
            and {{ this.identifier }}.as_of_date >= rewritten_customers.probe_from_date
            and not exists (
                select 1 from {{ parent_relation }} as parent
                where
                    parent.customer_id = {{ this.identifier }}.customer_id
                    and parent.as_of_date = {{ this.identifier }}.as_of_date
            )
    {%- endif -%}
{%- endmacro -%}

{#
    Pre-hook of an incremental model holding every submission of an order (stg_orders_export__order_submissions):
    on an incremental run, delete the rows of the orders whose submissions `triaged_relation` judged since this
    model's watermark; the run inserts their rows again. Nothing on a full build.
#}
{%- macro delete_rejudged_order_submissions(triaged_relation) -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where order_id in (
            select rejudged.order_id from {{ triaged_relation }} as rejudged
            where rejudged.processed_at > {{ processed_at_watermark() }}
        )
    {%- endif -%}
{%- endmacro -%}
