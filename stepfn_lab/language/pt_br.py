"""Palavras em português do Brasil das telas do kit (mesmas chaves de ``en``). Nomes da AWS ficam como a AWS escreve."""

MESSAGES = {
    # retorno dos exercícios
    "correct": "Correto!",
    "not_yet": "Ainda não:",
    "hint": "Dica",
    "solution": "Solução",
    # summary() da execução e history.table()
    "status": "status",
    "output": "saída",
    "error": "erro",
    "cause": "causa",
    "summary_events": "eventos: {events}, duração virtual: {duration}",
    "col_id": "id",
    "col_prev": "anterior",
    "col_elapsed": "tempo",
    "col_type": "tipo",
    "col_detail": "detalhe",
    "more_events": "... mais {count} eventos",
    # tabela da definição (render.to_table)
    "col_state": "estado",
    "col_does": "faz",
    "col_on": "quando",
    "col_next": "próximo",
    "fails_execution": "falha a execução",
    "fails_iteration": "falha a iteração",
    "fails_branch": "falha o ramo",
    "missing": "não existe",
    # legenda do diagrama (a do console em português)
    "IN_PROGRESS": "Em andamento",
    "SUCCEEDED": "Com êxito",
    "FAILED": "Falhou",
    "CAUGHT_ERROR": "Erro capturado",
    "NOT_RUN": "Não executado",
    # tabelas de custo
    "cost_title": "workflow {kind} em {region} (preços de {as_of})",
    "cost_transitions": "transições de estado",
    "cost_request": "requisição",
    "cost_duration": "duração",
    "cost_month": "{executions} execuções por mês: {usd}",
    "cost_total": "total",
    "cost_note": "obs.",
    "cost_free": "as primeiras {free} transições de cada mês são gratuitas",
    "cost_no_prices": "sem preços para {region} na tabela; usados os preços de us-east-1",
}
