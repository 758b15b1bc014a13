"""Stop words for finding emerging themes, written folded (lower case, no accents, đ→d).

Why our own lists: besides function words they hold the words every feedback answer uses
("good", "need", "please", "rất", "muy") which would otherwise top every candidate theme. The
lists are folded because emerging themes compare folded text, so "không" and "khong" are one.
"""

from __future__ import annotations

__all__ = ["STOP_WORDS"]

_EN = """
a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had
has have having he her here hers herself him himself his how i if in into is it its itself just
me more most my myself no nor not now of off on once only or other our ours ourselves out over
own same she should so some such than that the their theirs them themselves then there these
they this those through to too under until up very was we were what when where which while who
whom why will with would you your yours yourself yourselves im its dont doesnt didnt cant wont
isnt arent wasnt ive id u ur r ok okay yes yeah thanks thank please pls need needs needed want
wants like really much many lot lots good great bad better best worse worst nice well get gets
got go goes going make makes made think know one two three also every always never sometimes
still even way thing things people kids kid child children son daughter family families mom dad
parent parents us our we would could should there here time day days week year years new more
less enough around because since though just only would something anything nothing everything
"""

_ES = """
a al algo algun alguna algunas alguno algunos ante antes aqui asi aun bien cada casi como con
contra cual cuales cuando de del desde donde dos el ella ellas ellos en entre era eran es esa esas
ese eso esos esta estaba estan estar este esto estos estoy fue fueron ha hace hacen hacer han hay
he hasta la las le les lo los mas me mi mis mucha muchas mucho muchos muy nada ni no nos nosotros
nuestra nuestro nuestros nuestras o otra otras otro otros para pero poco por porque pues que
quien se sea ser si sin sobre solo son su sus tambien tan tanto te tenemos tener tengo tiene
tienen todo todos toda todas tu tus un una unas uno unos y ya yo q xq k d x pa tmb bueno buena
buenos buenas malo mala mal mejor peor gracias favor necesitamos necesita necesito queremos
quiero gusta gustaria hijo hija hijos hijas familia ninos nino ninas nina gente siempre nunca
veces vez dia dias semana ano anos otra ahora aca alla eso esto ser estar va van ir
"""

_VI = """
a ai anh bi ban bao boi cac cai cach can cho chi chua chung co con cua cung da dang day de den
deu di do duoc gi gio hay hon khi khong la lai lam len luc ma minh moi mot muon nam nay neu
ngay nguoi nhieu nhu nhung nua o ong qua ra rat roi sao se tai thay the thi thu toi trong tu
va vao van ve vi voi xin em chi ho nha nhe a oi da vang duoc dc ko k j r vs ng tot te tot lam
hai ba bon nam sau nhung cac mot ma nen thi la de cho voi cua chung toi chung ta tui tui em
minh con cai gia dinh be tre nho tui nho phu huynh cam on can them mong muon nen phai duoc
"""

#: Folded stop words per language code.
STOP_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset(_EN.split()),
    "es": frozenset(_ES.split()),
    "vi": frozenset(_VI.split()),
}
