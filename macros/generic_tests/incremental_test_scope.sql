{#
    Data tests on incremental builds check what the build wrote, not the whole table again.

    dbt wraps the model of every generic data test in get_where_subquery; this override narrows it when the
    data test's `where` is the project default, '__incremental_scope__' (dbt_project.yml):
    - on a `dbt build` that is not a full refresh, for a table that documents processed_at (or a vault table,
      by its load_date; or a view marked row_filters_reach_the_tables), when the parent a relationships test
      reads is one too:
      - unique and unique_combination_of_columns check every row whose key is among the rows stamped by this
        build (so a new row that collides with an old one still fails), not only the new rows;
      - not_null, accepted_values, accepted_range, expression_is_true and relationships check the rows
        stamped by this build: the rows it did not rewrite passed the same test when they were written
        (every parent a relationships test points at keeps its keys: dimensions merge, and a child and its
        parent of the same order are rewritten together);
    - everywhere else (dbt test, --full-refresh, var('full_data_tests'), a model without processed_at, any
      other test) the whole model, as dbt does. On a first build every row is stamped by it: a full check.
    A `where` written on a test replaces the default and applies as dbt applies it.
    When tests are narrowed is decided once, by data_tests_are_narrowed; the reconciliation tests
    (tests/reconciliation/) follow it too, through reconciliation_is_narrowed (below).
#}
{%- macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if where == '__incremental_scope__' -%}
        {%- set where = incremental_test_scope(relation) -%}
    {%- endif -%}
    {%- if where and where != '1=1' -%}
        {%- set filtered -%}
            (select * from {{ relation }} as tested_rows where {{ where }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro -%}

{# The condition that limits this data test to what this build wrote ('1=1': the whole model). #}
{%- macro incremental_test_scope(relation) -%}
    {%- set row_scoped_tests = [
        'not_null', 'accepted_values', 'accepted_range', 'expression_is_true', 'relationships',
    ] -%}
    {%- set key_scoped_tests = ['unique', 'unique_combination_of_columns'] -%}
    {%- if not data_tests_are_narrowed() -%}
        {%- do return('1=1') -%}
    {%- endif -%}
    {%- set tested_node = graph.nodes.get(model.get('attached_node') or '') -%}
    {%- set stamp_column = incremental_stamp_column(tested_node) -%}
    {%- if not stamp_column -%}
        {%- do return('1=1') -%}
    {%- endif -%}
    {#- A view computes its rows again on every scan, so a test narrowed over a view can cost more than the
        whole check (PostgreSQL cannot push the filter below a window, and loops over a view it expects to
        visit once): tests that read a view check everything, unless the view declares (meta
        row_filters_reach_the_tables) that it only filters and joins its tables, with no window or aggregate,
        so that PostgreSQL applies the narrowing filter to the tables' rows. -#}
    {%- for node_id in model.get('depends_on', {}).get('nodes', []) -%}
        {%- set node = graph.nodes.get(node_id) -%}
        {%- set node_config = node.get('config', {}) if node else {} -%}
        {%- if node_config.get('materialized') == 'view'
            and not node_config.get('meta', {}).get('row_filters_reach_the_tables') -%}
            {%- do return('1=1') -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set test_name = model.get('test_metadata', {}).get('name') -%}
    {%- set arguments = model.get('test_metadata', {}).get('kwargs', {}) -%}
    {%- if test_name in row_scoped_tests -%}
        {%- do return(stamped_by_this_build('tested_rows.' ~ stamp_column)) -%}
    {%- elif test_name in key_scoped_tests -%}
        {%- set key_columns = arguments.get('combination_of_columns') or [arguments.get('column_name')] -%}
        {%- set scope -%}
            exists (
                select 1 from {{ relation }} as stamped_rows
                where
                    {{ stamped_by_this_build('stamped_rows.' ~ stamp_column) }}
                    {% for column in key_columns -%}
                        and stamped_rows.{{ column }} = tested_rows.{{ column }}
                    {% endfor %}
            )
        {%- endset -%}
        {%- do return(scope) -%}
    {%- endif -%}
    {%- do return('1=1') -%}
{%- endmacro -%}

{#
    The column that tells the rows a build wrote in the model `node`: processed_at where it documents one; the
    load_date of the vault's insert-only tables (a build stamps its inserts with its start, as processed_at);
    none otherwise (the model's tests check everything).
#}
{%- macro incremental_stamp_column(node) -%}
    {%- set columns = node.get('columns', {}) if node else {} -%}
    {%- if 'processed_at' in columns -%}
        {{- return('processed_at') -}}
    {%- elif 'load_date' in columns and node.get('fqn', [])[1:2] == ['vault'] -%}
        {{- return('load_date') -}}
    {%- endif -%}
    {{- return(none) -}}
{%- endmacro -%}

{#
    Whether the data tests of this invocation check only what it wrote: on a `dbt build` that is not a full
    refresh, unless `--vars '{full_data_tests: true}'` asks for every row. The one place this is decided: the
    generic tests (incremental_test_scope) and the reconciliation tests (reconciliation_is_narrowed) ask it.
#}
{%- macro data_tests_are_narrowed() -%}
    {{- return(
        execute and flags.WHICH == 'build' and not flags.FULL_REFRESH and not var('full_data_tests', false)
    ) -}}
{%- endmacro -%}

{# The condition that holds for the rows this invocation stamped (`column`: their processed_at). #}
{%- macro stamped_by_this_build(column='processed_at') -%}
    {{ column }} >= {{ processed_at() }}
{%- endmacro -%}

{# Whether the project's model `model_name` documents `column` (a contracted model documents every column). #}
{%- macro model_documents_column(model_name, column) -%}
    {%- set node = graph.nodes.get('model.' ~ project_name ~ '.' ~ model_name) -%}
    {{- return(node is not none and column in node.get('columns', {})) -}}
{%- endmacro -%}

{#
    Whether a reconciliation test (tests/reconciliation/) checks only what this build touched: when the data
    tests are narrowed (data_tests_are_narrowed) and `relation`, a table with processed_at that the test
    reconciles, holds rows an earlier build stamped. A first build stamps every row: the whole check then, as
    `dbt test` runs it (one look at the least processed_at, which PostgreSQL reads from the column's index).
    `whole_check_if`, a query of one count: when it is not 0, the test cannot find all that the build touched
    the narrowed way, and checks everything.
#}
{%- macro reconciliation_is_narrowed(relation, whole_check_if=none) -%}
    {%- if not data_tests_are_narrowed() -%}
        {{- return(false) -}}
    {%- endif -%}
    {%- set earlier_rows_query -%}
        select case when min(processed_at) < {{ processed_at() }} then 1 else 0 end as has_earlier_rows
        from {{ relation }}
    {%- endset -%}
    {%- if run_query(earlier_rows_query).columns[0].values()[0] != 1 -%}
        {{- return(false) -}}
    {%- endif -%}
    {%- if whole_check_if and run_query(whole_check_if).columns[0].values()[0] != 0 -%}
        {{- return(false) -}}
    {%- endif -%}
    {{- return(true) -}}
{%- endmacro -%}
