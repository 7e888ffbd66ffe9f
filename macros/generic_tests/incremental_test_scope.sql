{# Data tests on an incremental build check what the build wrote (docs/incremental.md); a test's own `where` wins. #}
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
    {#- A view computes its rows again on every scan: a narrowed test over one can cost more than the whole check. -#}
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

{%- macro incremental_stamp_column(node) -%}
    {%- set columns = node.get('columns', {}) if node else {} -%}
    {%- if 'processed_at' in columns -%}
        {{- return('processed_at') -}}
    {%- elif 'load_date' in columns and node.get('fqn', [])[1:2] == ['vault'] -%}
        {{- return('load_date') -}}
    {%- endif -%}
    {{- return(none) -}}
{%- endmacro -%}

{%- macro data_tests_are_narrowed() -%}
    {{- return(
        execute and flags.WHICH == 'build' and not flags.FULL_REFRESH and not var('full_data_tests', false)
    ) -}}
{%- endmacro -%}

{%- macro stamped_by_this_build(column='processed_at') -%}
    {{ column }} >= {{ processed_at() }}
{%- endmacro -%}

{%- macro model_documents_column(model_name, column) -%}
    {%- set node = graph.nodes.get('model.' ~ project_name ~ '.' ~ model_name) -%}
    {{- return(node is not none and column in node.get('columns', {})) -}}
{%- endmacro -%}

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
